// The body of git-lfs's batch request (`POST .../info/lfs/objects/batch`, spec §5.2): a JSON
// object with "operation" and "objects" ([{oid, size}]); other fields (transfers, ref, hash_algo)
// are not read. Parsing only: the operation and oids are judged by the LFS service. Pure; safe from
// any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "service/lfs_service.h"

namespace spacehub::api {

struct LfsBatchRequest {
  std::string operation;                       // "upload" / "download" (as sent)
  std::vector<service::LfsObjectRef> objects;  // each with a size >= 0
};

// kInvalidArgument for a body that is not such an object.
Result<LfsBatchRequest> ParseLfsBatchRequest(std::string_view body);

}  // namespace spacehub::api
