// Hub-side file operations on a build directory, which the Space's own code (setup.py, an in-tree
// PEP 517 backend) may have filled with anything, symbolic links included (issue #12 item 8). The
// hub runs as root: a path it follows out of a Space-writable directory would let the owner append
// to, chown or delete any host file. So everything here works through directory descriptors opened
// with O_NOFOLLOW and *at() calls that never resolve a link — no operation crosses a symlink the
// Space could have made, whatever happens inside the directory meanwhile.
//
//  - RemoveTree: deletes a directory tree; a link is removed as a link, never followed.
//  - ChownTree: hands a freshly checked-out build directory to the Space's host uid before any of
//    its code runs (links are re-owned themselves, never their targets).
//  - Build markers: "this commit built completely" lives *beside* the build directory, in the
//    hub-owned `builds/` directory (`builds/<sha>.ok`), where no Space process can write.
// Free functions; thread-safe (no shared state).
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>

#include "core/result.h"

namespace spacehub::runtime {

// Removes `path` (a directory tree, a file or a link) without following any link in it. Missing:
// Ok. A link at `path` itself is removed, not what it points to.
Status RemoveTree(const std::filesystem::path& path);

// Changes the owner of `dir` and everything under it to uid:gid; links are changed themselves.
// `dir` itself must be a real directory (not a link).
Status ChownTree(const std::filesystem::path& dir, uid_t uid, gid_t gid);

// `<builds>/<sha>.ok`: the marker of the completed build `<builds>/<sha>`.
std::filesystem::path BuildMarkerPath(const std::filesystem::path& build_dir);

// Records the completed build: the marker holds `stamp` (what was built: the commit and its SDK).
// Written through a temporary file renamed into place, neither following links.
Status WriteBuildMarker(const std::filesystem::path& build_dir, const std::string& stamp);

// Whether `build_dir` is a real directory (not a link) with a marker holding exactly `stamp`.
bool BuildComplete(const std::filesystem::path& build_dir, const std::string& stamp);

}  // namespace spacehub::runtime
