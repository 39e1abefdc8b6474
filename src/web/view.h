// Views: the embedded Mustache templates (templates/*.mustache) rendered with data built as JSON by
// the pages. Mustache escapes every `{{value}}` for HTML; only `{{{value}}}` is raw, and the pages
// use it solely for HTML they made safe themselves (rendered Markdown, a nested view).
// Every template is also a partial: `{{> repo_header}}` includes templates/repo_header.mustache.
// Thread-safe: parsed templates are cached per thread (the parser's objects are not shareable).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/result.h"

namespace spacehub::web {

// Renders templates/<name>.mustache with `data`: objects, arrays (sections), strings, numbers
// (printed as JSON numbers), booleans; null and empty arrays are false in sections.
// kInternal when the template is missing or malformed (a bug in the hub, not the visitor's).
Result<std::string> RenderView(std::string_view name, const nlohmann::json& data);

}  // namespace spacehub::web
