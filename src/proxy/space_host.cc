#include "proxy/space_host.h"

namespace spacehub::proxy {
namespace {

char LowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::string SpaceSubdomain(const RepoId& id) { return SpaceHostLabel(id.ns, id.name); }

std::optional<std::string> SubdomainFromHost(std::string_view host, std::string_view domain) {
  if (host.empty() || domain.empty()) return std::nullopt;
  if (host.front() == '[') return std::nullopt;  // an IPv6 literal is never a Space
  if (size_t colon = host.rfind(':'); colon != std::string_view::npos) {
    host = host.substr(0, colon);
  }
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);  // absolute form "a.localhost."
  if (host.size() < domain.size() + 2) return std::nullopt;
  std::string_view tail = host.substr(host.size() - domain.size());
  for (size_t i = 0; i < tail.size(); ++i) {
    if (LowerAscii(tail[i]) != LowerAscii(domain[i])) return std::nullopt;
  }
  if (host[host.size() - domain.size() - 1] != '.') return std::nullopt;
  std::string_view label = host.substr(0, host.size() - domain.size() - 1);
  if (label.empty() || label.find('.') != std::string_view::npos) return std::nullopt;
  std::string out;
  out.reserve(label.size());
  for (char c : label) {
    const char l = LowerAscii(c);
    if (!((l >= 'a' && l <= 'z') || (l >= '0' && l <= '9') || l == '-')) return std::nullopt;
    out.push_back(l);
  }
  return out;
}

std::string SpaceOrigin(std::string_view hub_url, std::string_view label, std::string_view domain) {
  std::string_view scheme = "http";
  std::string_view rest = hub_url;
  if (size_t sep = hub_url.find("://"); sep != std::string_view::npos) {
    scheme = hub_url.substr(0, sep);
    rest = hub_url.substr(sep + 3);
  }
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1);
  }
  std::string_view port;
  const size_t colon = authority.rfind(':');
  const size_t bracket = authority.rfind(']');
  if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
    port = authority.substr(colon);  // ":8080"
  }
  std::string out;
  for (char c : scheme) out.push_back(LowerAscii(c));
  out.append("://");
  out.append(label);
  out.push_back('.');
  out.append(domain);
  out.append(port);
  return out;
}

}  // namespace spacehub::proxy
