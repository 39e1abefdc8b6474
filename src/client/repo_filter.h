// Which repo files a snapshot download takes: huggingface_hub's filter_repo_objects
// (utils/_paths.py) over Python's fnmatch, for DownloadOptions::allow_patterns / ignore_patterns
// and `spacehub download --include / --exclude`. Pure functions; thread-safe.
//
// Why not fnmatch(3): glibc's fnmatch differs from Python's even with FNM_NOESCAPE — it negates
// `[^…]` (Python: a literal '^'), knows `[[:alpha:]]` classes and locale collation, and counts
// bytes where Python counts code points. The matcher here follows Python's fnmatch.translate
// instead: `*` matches any run of characters including '/', `?` one character (a UTF-8 code point),
// `[seq]` / `[!seq]` a set with ranges (a reversed range matches nothing; '-' first or last is
// literal; ']' right after `[` or `[!` is a member), an unclosed '[' and a backslash are literal,
// no case folding (Python's fnmatch on POSIX).
#pragma once

#include <string>
#include <vector>

namespace spacehub::client::detail {

// True when `pattern` matches all of `name` (Python: fnmatch.fnmatch(name, pattern) on POSIX).
bool FnMatch(const std::string& name, const std::string& pattern);

// filter_repo_objects for one path: it must match one of `allow` (when not empty) and none of
// `ignore`. A pattern ending in '/' is taken as "<pattern>*", so "data/" keeps everything under
// data/. Empty lists filter nothing (Python's None; Python's `[]` allowlist, which keeps nothing,
// has no spelling here).
bool RepoPathSelected(const std::string& path, const std::vector<std::string>& allow,
                      const std::vector<std::string>& ignore);

}  // namespace spacehub::client::detail
