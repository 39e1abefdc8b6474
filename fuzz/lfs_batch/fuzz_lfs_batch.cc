// git-lfs batch request bodies (api/lfs_batch.h): every object parsed has a size a signed 64-bit
// column can hold, and the request written back as JSON parses to the same request.
#include <nlohmann/json.hpp>
#include <string>

#include "api/lfs_batch.h"
#include "fuzz/fuzz_check.h"

using namespace spacehub;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto req = api::ParseLfsBatchRequest(spacehub::fuzz::AsText(data, size));
  if (!req.ok()) {
    FUZZ_CHECK(req.status().code() == Code::kInvalidArgument);
    return 0;
  }
  nlohmann::json objects = nlohmann::json::array();
  for (const auto& o : req->objects) {
    FUZZ_CHECK(o.size <= static_cast<uint64_t>(INT64_MAX));
    objects.push_back({{"oid", o.oid}, {"size", o.size}});
  }
  const std::string rendered =
      nlohmann::json{{"operation", req->operation}, {"objects", objects}}.dump();
  auto again = api::ParseLfsBatchRequest(rendered);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again->operation == req->operation);
  FUZZ_CHECK(again->objects.size() == req->objects.size());
  for (size_t i = 0; i < req->objects.size(); ++i) {
    FUZZ_CHECK(again->objects[i].oid == req->objects[i].oid);
    FUZZ_CHECK(again->objects[i].size == req->objects[i].size);
  }
  return 0;
}
