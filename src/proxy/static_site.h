// StaticSite: the files of a static Space, served by the hub itself (no process runs for it).
// A path maps to a regular file under the build root: a directory (or "") means its index.html;
// "..", ".", empty segments, dot-files (the venv, the build marker) and anything that resolves
// outside the root (a symlink) are not found. Stateless; thread-safe.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "core/result.h"
#include "http/request.h"
#include "http/response.h"

namespace spacehub::proxy {

// `path` is percent-decoded and relative to the Space's root ("" or "css/site.css").
Result<std::filesystem::path> ResolveStaticFile(const std::filesystem::path& root,
                                                std::string_view path);

// The response for a resolved file: its content type, Range allowed, revalidated on each visit.
// HTML pages get `head` (the Space's window.huggingface script) at the start of their <head>.
Result<http::Response> StaticFileResponse(const std::filesystem::path& file,
                                          std::string_view head = {});

// `head` put right after the opening <head ...> tag of `html`, or before everything without one.
std::string InjectIntoHead(std::string html, std::string_view head);

}  // namespace spacehub::proxy
