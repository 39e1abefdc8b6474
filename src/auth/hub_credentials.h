// What a hub credential looks like on the wire, for the code that must keep one from leaving the
// hub (the Space proxy strips them from what it forwards to apps, which the hub does not trust).
//  - Tokens: "hf_…" in `Authorization: Bearer …` or `Basic base64(user:password)` (either part).
//  - The web UI's session cookie: its names are defined here, once, so that the UI that sets it
//    and the proxy that strips it cannot disagree. (No UI sets it yet; the proxy strips it
//    already.)
// Pure; thread-safe.
#pragma once

#include <array>
#include <string_view>

namespace spacehub::auth {

inline constexpr std::string_view kSessionCookie = "spacehub_session";
// The name with the prefixes browsers give meaning to (RFC 6265bis §4.1.3): a UI served over HTTPS
// should set `__Host-spacehub_session`; every spelling is stripped.
inline constexpr std::array<std::string_view, 3> kSessionCookieNames = {
    kSessionCookie, "__Host-spacehub_session", "__Secure-spacehub_session"};

// The cookie a browser keeps on a private Space's origin: the visit grant the hub's Space page gave
// it (service/space_visits.h). Never forwarded to the app.
inline constexpr std::string_view kSpaceVisitCookie = "spacehub_space_visit";

// The prefix of every hub token.
inline constexpr std::string_view kTokenPrefix = "hf_";

// An Authorization value that may carry a hub token: "hf_" anywhere in it, or in its `Basic`
// credential once decoded (padding or not). Broader than what Identity::Authenticate accepts on
// purpose: a token in a form the hub refuses is still the visitor's token. Case-insensitive.
bool CarriesHubToken(std::string_view authorization);

// A cookie name the hub's session uses, or the Space visit grant's (exact, as browsers compare
// cookie names): neither may reach an app, nor be set by one.
bool IsSessionCookieName(std::string_view name);

}  // namespace spacehub::auth
