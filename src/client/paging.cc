// See paging.h.
#include "client/paging.h"

#include <cctype>

namespace spacehub::client::detail {
namespace {

std::string Trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// True when a `rel` value (unquoted) lists "next" among its space-separated types.
bool RelHasNext(const std::string& value) {
  size_t i = 0;
  while (i < value.size()) {
    size_t j = value.find(' ', i);
    if (j == std::string::npos) j = value.size();
    if (Lower(value.substr(i, j - i)) == "next") return true;
    i = j + 1;
  }
  return false;
}

}  // namespace

std::string ParseNextLink(const std::string& header) {
  size_t pos = 0;
  while (pos < header.size()) {
    size_t open = header.find('<', pos);
    if (open == std::string::npos) return "";
    size_t close = header.find('>', open);
    if (close == std::string::npos) return "";
    std::string url = header.substr(open + 1, close - open - 1);
    // Parameters run to the next link, which starts at a ',' followed by '<'.
    size_t end = close + 1;
    bool quoted = false;
    for (; end < header.size(); ++end) {
      if (header[end] == '"') quoted = !quoted;
      if (!quoted && header[end] == ',') break;
    }
    std::string params = header.substr(close + 1, end - close - 1);
    size_t p = 0;
    while (p < params.size()) {
      size_t semi = params.find(';', p);
      if (semi == std::string::npos) semi = params.size();
      std::string param = Trim(params.substr(p, semi - p));
      p = semi + 1;
      size_t eq = param.find('=');
      if (eq == std::string::npos || Lower(Trim(param.substr(0, eq))) != "rel") continue;
      std::string value = Trim(param.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      if (RelHasNext(value)) return url;
    }
    pos = end + 1;
  }
  return "";
}

}  // namespace spacehub::client::detail
