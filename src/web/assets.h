// The files compiled into the binary (cmake/embed.cmake): page templates ("templates/x.mustache")
// and static assets ("static/x.css"), ours and those from npm. Immutable after start; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace spacehub::web {

struct EmbeddedFile {
  std::string_view name;
  std::string_view data;
  std::string_view content_type;
  std::string etag;  // strong ETag: a hash of the content, quoted
};

// nullptr when no file has this name.
const EmbeddedFile* FindEmbedded(std::string_view name);
// Every embedded file whose name starts with `prefix`, by name.
std::vector<const EmbeddedFile*> EmbeddedUnder(std::string_view prefix);

}  // namespace spacehub::web
