// The Content-Type to send for a file, from its extension (downloads and static Space files).
// Stateless; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace spacehub::http {

std::string ContentTypeFor(std::string_view path);

}  // namespace spacehub::http
