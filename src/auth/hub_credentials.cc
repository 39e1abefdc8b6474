#include "auth/hub_credentials.h"

#include <strings.h>

#include <string>

#include "core/crypto.h"

namespace spacehub::auth {
namespace {

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool ContainsNoCase(std::string_view s, std::string_view needle) {
  if (needle.size() > s.size()) return false;
  for (size_t i = 0; i + needle.size() <= s.size(); ++i) {
    size_t k = 0;
    while (k < needle.size() && Lower(s[i + k]) == Lower(needle[k])) ++k;
    if (k == needle.size()) return true;
  }
  return false;
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

bool CarriesHubToken(std::string_view authorization) {
  std::string_view v = TrimSpaces(authorization);
  if (ContainsNoCase(v, kTokenPrefix)) return true;
  if (v.size() < 6 || strncasecmp(v.data(), "Basic ", 6) != 0) return false;
  std::string b64(TrimSpaces(v.substr(6)));
  while (b64.size() % 4 != 0) b64.push_back('=');  // some clients leave the padding out
  Result<std::string> decoded = Base64Decode(b64);
  return decoded.ok() && ContainsNoCase(*decoded, kTokenPrefix);
}

bool IsSessionCookieName(std::string_view name) {
  for (std::string_view n : kSessionCookieNames) {
    if (name == n) return true;
  }
  return name == kSpaceVisitCookie;
}

}  // namespace spacehub::auth
