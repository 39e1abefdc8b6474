// URL building for the Hub API (spec §0.1): repo id checks, percent-quoting with Python's
// urllib.parse.quote rules, API and "web" route shapes. Pure functions, thread-safe.
#pragma once

#include <string>

#include "spacehub/types.h"

namespace spacehub::client::detail {

// Percent-encodes everything except RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~), and '/'
// when keep_slash (quote(s) vs quote(s, safe="")).
std::string Quote(const std::string& s, bool keep_slash);
std::string QueryEscape(const std::string& s);

// Throws LocalError(kInvalidArgument) unless id is "name" or "namespace/name" with each part made
// of letters, digits, '-', '_', '.' (not starting with '-' or '.', no "..", at most 96 chars).
void ValidateRepoId(const std::string& repo_id);
// Splits "ns/name" into {ns, name}; {"" , name} without a slash.
std::pair<std::string, std::string> SplitRepoId(const std::string& repo_id);

// {ep}/api/{type}s/{id}
std::string ApiRepoUrl(const std::string& endpoint, RepoType type, const std::string& repo_id);
// {ep}/{prefix}{id}/resolve/{quote(rev, safe="")}/{quote(path)}
std::string ResolveUrl(const std::string& endpoint, RepoType type, const std::string& repo_id,
                       const std::string& revision, const std::string& path);
// {ep}/{prefix}{id}
std::string RepoWebUrl(const std::string& endpoint, RepoType type, const std::string& repo_id);
// Resolves a Location header against the request URL; returns "" when location is absolute and
// on another host ("cross-host"); sets *relative to whether it had no scheme/host.
std::string JoinLocation(const std::string& request_url, const std::string& location,
                         bool* relative);

}  // namespace spacehub::client::detail
