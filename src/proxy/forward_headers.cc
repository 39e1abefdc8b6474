#include "proxy/forward_headers.h"

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/rfc7230.hpp>
#include <string_view>
#include <vector>

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
  for (auto it = f.find(bhttp::field::connection);
       it != f.end() && it->name() == bhttp::field::connection; ++it) {
    for (auto t : bhttp::token_list(it->value())) named.emplace_back(t);
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

}  // namespace

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
  if (!fwd.prefix.empty()) h.set("X-Forwarded-Prefix", fwd.prefix);
  h.version(11);
  if (websocket) {
    h.set(bhttp::field::connection, "Upgrade");
  }
}

void PrepareVisitorResponse(bhttp::response_header<>& h, bool switching) {
  StripHopByHop(h, switching);
  if (switching) h.set(bhttp::field::connection, "Upgrade");
}

}  // namespace spacehub::proxy
