// Space host names: a Space `ns/name` is reached at `{ns}-{name}.{domain}` (the Hub's convention
// for
// *.hf.space: lowercase, '_' and '.' become '-'). Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/repo_id.h"

namespace spacehub::proxy {

// "Alice/My_App.v2" -> "alice-my-app-v2".
std::string SpaceSubdomain(const RepoId& id);

// The subdomain label of a Host header value ("alice-app.localhost:8080" with domain "localhost"
// -> "alice-app"); nullopt when the host is not exactly one label under `domain`. Case-insensitive;
// the port, if any, is ignored.
std::optional<std::string> SubdomainFromHost(std::string_view host, std::string_view domain);

}  // namespace spacehub::proxy
