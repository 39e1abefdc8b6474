// HTML escaping for text the hub writes into HTML itself (error pages, a README too large to
// render): & < > " ' become entities, so the text can go in an element or a quoted attribute.
// Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace spacehub {

std::string EscapeHtml(std::string_view text);

}  // namespace spacehub
