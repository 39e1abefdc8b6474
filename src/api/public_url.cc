#include "api/public_url.h"

namespace spacehub::api {

std::string PublicUrlFor(const std::string& configured, const std::string& listen_host,
                         uint16_t port) {
  if (!configured.empty()) {
    std::string url = configured;
    while (url.size() > 1 && url.back() == '/') url.pop_back();
    return url;
  }
  std::string host = listen_host;
  if (host.empty() || host == "0.0.0.0" || host == "::" || host == "[::]") host = "127.0.0.1";
  if (host.find(':') != std::string::npos && host.front() != '[') host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(port);
}

}  // namespace spacehub::api
