// Revision resolution and ref-name validation for the repo layer. Internal to src/repo.
//
// User strings are only ever matched exactly against ref names and full commit ids: nothing here
// goes through git_revparse, so "main~1", "HEAD^" or "@{1}" are plain unknown revisions.
// Thread-safety: stateless; the git_repository passed in must not be used concurrently.
#pragma once

#include <git2.h>

#include <string>
#include <string_view>

#include "core/result.h"

namespace spacehub::repo {

// Branch short name (refs/heads/X), then tag (refs/tags/X, annotated tags peeled), then a full
// ref name ("refs/..."), then a 40-hex commit id that exists. RevisionNotFound(rev) otherwise.
Result<git_oid> ResolveCommitOid(git_repository* repo, std::string_view rev);

// Validates a user-supplied branch or tag short name: not empty, no leading '-', no "..", and
// `prefix + name` is a valid git ref name. kInvalidArgument otherwise.
Status ValidateRefShortName(std::string_view name, std::string_view prefix);

}  // namespace spacehub::repo
