// Space host names: a Space `ns/name` is reached at `{ns}-{name}.{domain}` (the Hub's convention
// for *.hf.space: lowercase, '_' and '.' become '-'; core/space_host_label.h). Each Space is served
// only on its own origin, never on the hub's: the hub's cookies and service-worker scope stay the
// hub's. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/repo_id.h"
#include "core/space_host_label.h"

namespace spacehub::proxy {

// "Alice/My_App.v2" -> "alice-my-app-v2".
std::string SpaceSubdomain(const RepoId& id);

// The subdomain label of a Host header value ("alice-app.localhost:8080" with domain "localhost"
// -> "alice-app"); nullopt when the host is not exactly one label under `domain`. Case-insensitive;
// the port, if any, is ignored.
std::optional<std::string> SubdomainFromHost(std::string_view host, std::string_view domain);

// The origin a Space is served on, "{scheme}://{label}.{domain}[:port]", with the scheme and port
// of the hub's public URL (api/public_url.h): a Space is reached through the same front as the hub.
std::string SpaceOrigin(std::string_view hub_url, std::string_view label, std::string_view domain);

}  // namespace spacehub::proxy
