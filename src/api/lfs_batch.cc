// git-lfs batch request bodies; see lfs_batch.h.
#include "api/lfs_batch.h"

#include "api/json_body.h"

namespace spacehub::api {

Result<LfsBatchRequest> ParseLfsBatchRequest(std::string_view body_text) {
  SH_ASSIGN_OR_RETURN(nlohmann::json body, ParseJsonObject(body_text));
  LfsBatchRequest out;
  SH_ASSIGN_OR_RETURN(out.operation, RequireString(body, "operation"));
  auto objects = body.find("objects");
  if (objects == body.end() || !objects->is_array()) {
    return Status::InvalidArgument("'objects' is required and must be an array");
  }
  if (auto t = body.find("transfers"); t != body.end() && t->is_array()) {
    for (const auto& v : *t) {
      if (v.is_string()) out.transfers.push_back(v.get<std::string>());
    }
  }
  if (auto r = body.find("ref"); r != body.end() && r->is_object()) {
    if (auto n = r->find("name"); n != r->end() && n->is_string()) {
      out.ref = n->get<std::string>();
      if (out.ref.rfind("refs/heads/", 0) == 0) out.ref = out.ref.substr(11);
    }
  }
  for (const auto& o : *objects) {
    if (!o.is_object()) return Status::InvalidArgument("each object must be a JSON object");
    service::LfsObjectRef ref;
    SH_ASSIGN_OR_RETURN(ref.oid, RequireString(o, "oid"));
    SH_ASSIGN_OR_RETURN(auto size, OptionalInt(o, "size"));
    if (!size || *size < 0) return Status::InvalidArgument("each object needs a size");
    ref.size = static_cast<uint64_t>(*size);
    out.objects.push_back(std::move(ref));
  }
  return out;
}

}  // namespace spacehub::api
