#include "proxy/forward_headers.h"

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/rfc7230.hpp>
#include <string_view>
#include <vector>

#include "auth/hub_credentials.h"

namespace spacehub::proxy {
namespace bhttp = boost::beast::http;

namespace {

bool TokenListHas(std::string_view list, std::string_view token) {
  for (auto t : bhttp::token_list(list)) {
    if (boost::beast::iequals(t, token)) return true;
  }
  return false;
}

// Removes the fields named in Connection, then the fixed hop-by-hop set.
template <class Fields>
void StripHopByHop(Fields& f, bool keep_upgrade) {
  std::vector<std::string> named;
  // Every Connection field, wherever it is (Beast's find/equal_range walk the fields in arrival
  // order from the first match, which misses a repeat that is not adjacent).
  for (const auto& field : f) {
    if (field.name() != bhttp::field::connection) continue;
    for (auto t : bhttp::token_list(field.value())) named.emplace_back(t);
  }
  for (const auto& n : named) {
    if (keep_upgrade && boost::beast::iequals(n, "upgrade")) continue;
    if (boost::beast::iequals(n, "content-length") ||
        boost::beast::iequals(n, "transfer-encoding")) {
      continue;  // framing: never dropped on a client's say-so
    }
    f.erase(n);
  }
  for (bhttp::field name : kHopByHopFields) f.erase(name);
  if (!keep_upgrade) f.erase(bhttp::field::upgrade);
}

// Cookie pairs ("a=1; b=2"), each with the space around it trimmed.
template <class Fn>
void ForEachCookie(std::string_view value, Fn fn) {
  while (!value.empty()) {
    const size_t semi = value.find(';');
    std::string_view pair = value.substr(0, semi);
    while (!pair.empty() && (pair.front() == ' ' || pair.front() == '\t')) pair.remove_prefix(1);
    while (!pair.empty() && (pair.back() == ' ' || pair.back() == '\t')) pair.remove_suffix(1);
    if (!pair.empty()) fn(pair);
    if (semi == std::string_view::npos) break;
    value.remove_prefix(semi + 1);
  }
}

std::string_view CookieName(std::string_view pair) {
  std::string_view name = pair.substr(0, pair.find('='));
  while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
  return name;
}

// Replaces every field `name` by what `rewrite` makes of its value (nullopt: unchanged; "": gone).
// Walks all fields: a repeated field need not be adjacent to the first.
template <class Fields, class Fn>
void RewriteFields(Fields& f, bhttp::field name, Fn rewrite) {
  std::vector<std::string> kept;
  bool changed = false;
  for (const auto& field : f) {
    if (field.name() != name) continue;
    std::optional<std::string> v = rewrite(std::string_view{field.value()});
    changed = changed || v.has_value();
    std::string next = v ? std::move(*v) : std::string(field.value());
    if (!next.empty()) kept.push_back(std::move(next));
  }
  if (!changed) return;
  f.erase(name);
  for (auto& v : kept) f.insert(name, v);
}

}  // namespace

bool IsHubCredentialField(bhttp::field name, std::string_view value) {
  return name == bhttp::field::authorization && auth::CarriesHubToken(value);
}

std::optional<std::string> CookieWithoutHubSession(std::string_view value) {
  bool found = false;
  ForEachCookie(value, [&](std::string_view pair) {
    found = found || auth::IsSessionCookieName(CookieName(pair));
  });
  if (!found) return std::nullopt;
  std::string out;
  ForEachCookie(value, [&](std::string_view pair) {
    if (auth::IsSessionCookieName(CookieName(pair))) return;
    if (!out.empty()) out.append("; ");
    out.append(pair);
  });
  return out;
}

bool SetsHubSessionCookie(std::string_view set_cookie) {
  std::string_view pair = set_cookie.substr(0, set_cookie.find(';'));
  while (!pair.empty() && (pair.front() == ' ' || pair.front() == '\t')) pair.remove_prefix(1);
  return auth::IsSessionCookieName(CookieName(pair));
}

bool IsWebSocketUpgrade(const bhttp::request_header<>& h) {
  return h.method() == bhttp::verb::get && TokenListHas(h[bhttp::field::connection], "upgrade") &&
         boost::beast::iequals(h[bhttp::field::upgrade], "websocket");
}

void PrepareAppRequest(bhttp::request_header<>& h, const ForwardedFor& fwd, bool websocket) {
  StripHopByHop(h, websocket);
  h.erase(bhttp::field::expect);
  // The visitor's own X-Forwarded-* are not trusted: the hub is the edge.
  h.erase("X-Forwarded-For");
  h.erase("X-Forwarded-Proto");
  h.erase("X-Forwarded-Host");
  h.erase("X-Forwarded-Prefix");
  h.erase("Forwarded");
  h.set("X-Forwarded-For", fwd.client_address);
  h.set("X-Forwarded-Proto", fwd.proto);
  if (!fwd.host.empty()) h.set("X-Forwarded-Host", fwd.host);
  // Hub credentials stay with the hub.
  RewriteFields(h, bhttp::field::authorization,
                [](std::string_view v) -> std::optional<std::string> {
                  if (auth::CarriesHubToken(v)) return std::string();
                  return std::nullopt;
                });
  RewriteFields(h, bhttp::field::cookie, CookieWithoutHubSession);
  h.version(11);
  if (websocket) {
    h.set(bhttp::field::connection, "Upgrade");
  }
}

void PrepareVisitorResponse(bhttp::response_header<>& h, bool switching) {
  StripHopByHop(h, switching);
  RewriteFields(h, bhttp::field::set_cookie, [](std::string_view v) -> std::optional<std::string> {
    if (SetsHubSessionCookie(v)) return std::string();
    return std::nullopt;
  });
  if (switching) h.set(bhttp::field::connection, "Upgrade");
}

}  // namespace spacehub::proxy
