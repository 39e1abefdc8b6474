// Where the Jobs API lives (spec §1): /api/jobs/{ns}[/{id}][/action] and the same under
// /api/scheduled-jobs. Pure functions; thread-safe.
#pragma once

#include <string>
#include <utility>

namespace spacehub::client::detail {

// "ID" → {ns, ID}; "NS/ID" → {NS, ID} (the CLI accepts both, as `hf jobs` on main does). Throws
// LocalError(kInvalidArgument) for an empty id or more than one '/'.
std::pair<std::string, std::string> SplitJobId(const std::string& job_id, const std::string& ns);

// {endpoint}/api/{collection}/{ns}[/{id}]{suffix}, ns and id percent-quoted.
std::string JobsUrl(const std::string& endpoint, const char* collection, const std::string& ns,
                    const std::string& id, const char* suffix);

}  // namespace spacehub::client::detail
