// How the file view shows a file: as text (with the highlight.js language its name suggests), as
// rendered Markdown, or as a binary with only its download link. Pure; thread-safe.
#pragma once

#include <string_view>

namespace spacehub::web {

// The highlight.js language for a file name ("python" for "app.py", "bash" for
// "Dockerfile"): always one bundled in highlight.min.js; "" when none fits (plain text).
std::string_view HighlightLanguage(std::string_view path);

// README-like files shown rendered: *.md, *.markdown (any case).
bool IsMarkdownPath(std::string_view path);

// Git's own test: a NUL byte in the first 8000 bytes makes a blob binary.
bool LooksBinary(std::string_view data);

}  // namespace spacehub::web
