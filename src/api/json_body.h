// JSON request-body helpers every handler uses: a malformed body or a field of the wrong type is a
// 400 (kInvalidArgument) naming the field. Pure functions over nlohmann::json; safe from any
// thread. Kept apart from ApiContext so that the body parsers can be built and fuzzed alone
// (fuzz/).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace spacehub::api {

Result<nlohmann::json> ParseJsonObject(std::string_view body);
Result<std::string> RequireString(const nlohmann::json& obj, const char* key);
Result<std::optional<std::string>> OptionalString(const nlohmann::json& obj, const char* key);
Result<std::optional<bool>> OptionalBool(const nlohmann::json& obj, const char* key);
// Accepts a number or a numeric string ("7200"), as clients send both.
Result<std::optional<int64_t>> OptionalInt(const nlohmann::json& obj, const char* key);
// Visibility as {"private": bool} (older clients) or {"visibility": "public|private|protected"}.
Result<std::optional<bool>> ParseVisibility(const nlohmann::json& body);

}  // namespace spacehub::api
