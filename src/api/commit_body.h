// The body of `POST /api/{type}s/{ns}/{name}/commit/{rev}` (spec §5.4): NDJSON, one JSON object per
// line, a "header" line first (summary, description, parentCommit), then "file" (inline content,
// base64 or utf-8), "lfsFile", "deletedFile" and "deletedFolder" lines. Blank lines are skipped.
// Parsing only: paths and oids are checked by the commit service. Pure; safe from any thread.
#pragma once

#include <string_view>

#include "core/result.h"
#include "service/commit_service.h"

namespace spacehub::api {

// The typed commit input (revision and create_pr are the route's, left unset); kInvalidArgument
// naming the line for anything malformed.
Result<service::CommitInput> ParseCommitBody(std::string_view body);

}  // namespace spacehub::api
