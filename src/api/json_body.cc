// JSON request-body helpers; see json_body.h.
#include "api/json_body.h"

#include <cerrno>
#include <cstdlib>

namespace spacehub::api {

Result<nlohmann::json> ParseJsonObject(std::string_view body) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::InvalidArgument("The request body is not valid JSON");
  if (!j.is_object()) return Status::InvalidArgument("The request body must be a JSON object");
  return j;
}

Result<std::string> RequireString(const nlohmann::json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) {
    return Status::InvalidArgument(std::string("'") + key + "' is required and must be a string");
  }
  return it->get<std::string>();
}

Result<std::optional<std::string>> OptionalString(const nlohmann::json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string())
    return Status::InvalidArgument(std::string("'") + key + "' must be a string");
  return std::optional<std::string>(it->get<std::string>());
}

Result<std::optional<bool>> OptionalBool(const nlohmann::json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::optional<bool>();
  if (!it->is_boolean())
    return Status::InvalidArgument(std::string("'") + key + "' must be a boolean");
  return std::optional<bool>(it->get<bool>());
}

Result<std::optional<int64_t>> OptionalInt(const nlohmann::json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::optional<int64_t>();
  if (it->is_number_integer()) return std::optional<int64_t>(it->get<int64_t>());
  if (it->is_string()) {
    const std::string& s = it->get_ref<const std::string&>();
    char* end = nullptr;
    errno = 0;
    int64_t v = std::strtoll(s.c_str(), &end, 10);
    if (!s.empty() && end == s.c_str() + s.size() && errno == 0) return std::optional<int64_t>(v);
  }
  return Status::InvalidArgument(std::string("'") + key + "' must be an integer");
}

Result<std::optional<bool>> ParseVisibility(const nlohmann::json& body) {
  SH_ASSIGN_OR_RETURN(auto is_private, OptionalBool(body, "private"));
  SH_ASSIGN_OR_RETURN(auto visibility, OptionalString(body, "visibility"));
  if (visibility) {
    if (*visibility == "public") return std::optional<bool>(false);
    // "protected" (visible, not runnable by others) is stored as private: the stricter reading.
    if (*visibility == "private" || *visibility == "protected") return std::optional<bool>(true);
    return Status::InvalidArgument("visibility must be public, private or protected");
  }
  return is_private;
}

}  // namespace spacehub::api
