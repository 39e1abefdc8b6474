#include "proxy/space_host.h"

namespace spacehub::proxy {
namespace {

char LowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::string SpaceSubdomain(const RepoId& id) {
  std::string out;
  std::string full = id.ns + "-" + id.name;
  out.reserve(full.size());
  for (char c : full) out.push_back(c == '_' || c == '.' ? '-' : LowerAscii(c));
  return out;
}

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

}  // namespace spacehub::proxy
