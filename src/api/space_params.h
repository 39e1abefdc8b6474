// Parsing of the Space settings that create (`POST /api/repos/create`) and duplicate
// (`POST /api/spaces/{id}/duplicate`) accept: hardware, storageTier, sleepTimeSeconds (a number or
// a numeric string), secrets and variables (lists of {key, value, description?}).
// Errors name the field, never a secret's value. Stateless; thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include "service/space_service.h"

namespace spacehub::api {

Result<service::SpaceParams> ParseSpaceParams(const nlohmann::json& body);
// One {key, value, description?} object.
Result<service::SpaceEntryInput> ParseSpaceEntry(const nlohmann::json& obj);

}  // namespace spacehub::api
