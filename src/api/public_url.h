// The hub's public URL: the absolute base of every URL the hub hands out (signed LFS URLs, `Link`
// pagination, repo `url`s, the path route's redirects to a Space's own origin). It comes from
// configuration, never from a request: a request's `Host` is the client's say, and URLs built from
// it could point another client (an LFS upload, a `Link` followed by a script) at any server.
// Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>

namespace spacehub::api {

// `configured` (--public-url) when given, without trailing slashes; otherwise the listening
// address: `http://{host}:{port}`, where a wildcard host (0.0.0.0, ::, empty) becomes 127.0.0.1 (a
// hub listening on every interface should be given --public-url) and an IPv6 literal is bracketed.
std::string PublicUrlFor(const std::string& configured, const std::string& listen_host,
                         uint16_t port);

}  // namespace spacehub::api
