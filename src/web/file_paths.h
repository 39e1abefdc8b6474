// Paths on the repo pages: the name an uploaded file gets in the repo (from what a browser sent,
// which is not to be trusted), the URLs of files and folders at a revision, and the breadcrumbs
// above a file or folder. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace spacehub::web {

// The repo path of an uploaded file: `folder` (typed in the form, may be empty) joined with the
// file name the browser sent. Backslashes count as separators (old browsers send Windows paths);
// empty and "." segments are dropped; a ".." segment, a NUL or control character, an empty name or
// a path the repo would refuse (core ValidateRepoPath) is kInvalidArgument naming the file.
Result<std::string> UploadPath(std::string_view folder, std::string_view filename);

// A folder path typed in a form, normalized the same way ("" for the root).
Result<std::string> CleanFolder(std::string_view folder);

// "{base}/{kind}/{rev}/{path}" with the revision as one percent-encoded segment ("refs/pr/1" ->
// "refs%2Fpr%2F1") and each path segment percent-encoded; no trailing "/" when `path` is empty.
std::string RevPath(std::string_view base, std::string_view kind, std::string_view rev,
                    std::string_view path = "");

// The folder a path is in ("" at the root); the last segment.
std::string_view ParentOf(std::string_view path);
std::string_view BaseName(std::string_view path);

struct Crumb {
  std::string name;
  std::string url;  // empty for the last crumb (the page itself)
  bool last = false;
};

// The trail above a file or folder: the repo's root (named `root_name`), then each folder, then
// `path`'s last segment; folders link to their tree pages at `rev`.
std::vector<Crumb> Breadcrumbs(std::string_view base, std::string_view rev, std::string_view path,
                               std::string_view root_name);

}  // namespace spacehub::web
