// README front matter: the YAML block between leading `---` lines of a repo's README.md, which the
// Hub exposes as `cardData` and reads Space settings from (sdk, app_file, ...). Parsed with
// yaml-cpp. Stateless; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace spacehub::service {

// The YAML text of the front matter, or nullopt when the README has none.
std::optional<std::string> ExtractFrontMatter(std::string_view readme);
// Front matter as JSON: an object, or null when there is none. Invalid YAML, or YAML that is not a
// mapping → kInvalidArgument with yaml-cpp's message (line and column).
Result<nlohmann::json> ParseFrontMatter(std::string_view readme);

}  // namespace spacehub::service
