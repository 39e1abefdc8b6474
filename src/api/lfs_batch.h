// The body of git-lfs's batch request (`POST .../info/lfs/objects/batch`, spec §5.2): a JSON
// object with "operation" and "objects" ([{oid, size}]), the transfers offered and the ref;
// hash_algo is not read. Parsing only: the operation and oids are judged by the LFS service. Pure;
// safe from any thread.
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
  std::vector<std::string> transfers;          // what the client offers ("basic", "xet", ...)
  std::string ref;                             // the branch named in "ref" (refs/heads/ dropped)
};

// kInvalidArgument for a body that is not such an object.
Result<LfsBatchRequest> ParseLfsBatchRequest(std::string_view body);

}  // namespace spacehub::api
