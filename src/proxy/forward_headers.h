// Header rewriting between a visitor and a Space's app (RFC 9110 §7.6.1: a proxy removes the
// hop-by-hop fields, those named in Connection and the fixed set below, before forwarding).
// Message framing (Content-Length / Transfer-Encoding) stays: Beast's parser and serializer on each
// side read and write it. Pure functions over Beast headers; thread-safe.
#pragma once

#include <array>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/message.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace spacehub::proxy {

// The fixed hop-by-hop fields (RFC 9110 §7.6.1), besides Upgrade (kept for a websocket) and the
// fields a Connection header names. Both the general path and the fast lane drop these.
inline constexpr std::array<boost::beast::http::field, 7> kHopByHopFields = {
    boost::beast::http::field::connection,
    boost::beast::http::field::keep_alive,
    boost::beast::http::field::te,
    boost::beast::http::field::trailer,
    boost::beast::http::field::proxy_authorization,
    boost::beast::http::field::proxy_authenticate,
    boost::beast::http::field::proxy_connection};

// What the app learns about the visitor's request.
struct ForwardedFor {
  std::string client_address;  // appended to X-Forwarded-For
  std::string proto = "http";  // X-Forwarded-Proto
  std::string host;            // X-Forwarded-Host: the Host the visitor used
};

// Hub credentials never reach an app (apps are code the hub does not trust; a hub token or session
// is the visitor's key to everything they may do on the hub), on every path to an app (the general
// one, websocket upgrades, the fast lane):
//  - `Authorization` that carries a hub token (auth::CarriesHubToken) is dropped; an app's own
//    credentials (another scheme or token) pass. (For a private Space the proxy also drops the
//    Authorization it authenticated the visitor with: space_proxy.cc.)
//  - the hub's session cookie (auth::kSessionCookieNames) is cut out of `Cookie`; the visitor's
//    other cookies pass.
// And from the app: a `Set-Cookie` of the hub's session cookie never reaches the visitor (an app on
// a sibling host could otherwise plant a session for the hub's domain).
bool IsHubCredentialField(boost::beast::http::field name, std::string_view value);
// A `Cookie` value without the hub's session cookies; nullopt when it has none (nothing to copy).
std::optional<std::string> CookieWithoutHubSession(std::string_view value);
// A `Set-Cookie` value that sets one of the hub's session cookies.
bool SetsHubSessionCookie(std::string_view set_cookie);

// The visitor asks for a websocket (Connection: upgrade + Upgrade: websocket).
bool IsWebSocketUpgrade(const boost::beast::http::request_header<>& h);

// Prepares the visitor's header for the app: hop-by-hop fields, hub credentials, and any
// X-Forwarded-* the visitor sent are replaced; a websocket upgrade keeps `Connection: upgrade` and
// `Upgrade`. Expect is removed (the hub answers 100-continue itself).
void PrepareAppRequest(boost::beast::http::request_header<>& h, const ForwardedFor& fwd,
                       bool websocket);

// Prepares the app's response header for the visitor: hop-by-hop fields go, except the Upgrade
// pair of a 101 that switches to a websocket; so does a Set-Cookie of the hub's session.
void PrepareVisitorResponse(boost::beast::http::response_header<>& h, bool switching);

}  // namespace spacehub::proxy
