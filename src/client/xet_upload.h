// The second half of a Xet upload (spec: upload-protocol.md), after the LFS batch answered
// transfer "xet": global dedup queries for the files' eligible chunks, new xorbs built from the
// chunks the hub does not have and uploaded on up to `workers` threads (read back from the file,
// never hashed again), then one shard recording every file. The commit that follows names the
// files by their SHA-256 as for plain LFS. Runs on the calling thread plus the workers it joins.
#pragma once

#include <string>
#include <vector>

#include "client/parallel.h"
#include "client/xet_plan.h"

namespace spacehub::client::detail {

// What the batch's X-Xet-* headers grant.
struct XetWriteAuth {
  std::string cas_url;  // no trailing slash
  std::string token;    // Bearer for every CAS request
};

struct XetUploadFile {
  std::string local_path;                // read from here, unless `content` is set
  const std::string* content = nullptr;  // in-memory bytes (CommitOperation::AddBytes)
  std::string sha256;                    // hex, the LFS oid the commit will name
  const std::vector<FileChunk>* chunks = nullptr;
};

struct XetUploadStats {
  uint64_t xorb_bytes_sent = 0;  // serialized xorb bytes POSTed
  uint64_t deduped_bytes = 0;    // raw bytes found already stored
  size_t xorbs = 0;
  double dedup_seconds = 0, xorb_seconds = 0, shard_seconds = 0;  // wall time of each step
};

// Throws HttpError / NetworkError / LocalError like the LFS path. `sum` may be null.
XetUploadStats UploadXetFiles(const XetWriteAuth& auth, const std::vector<XetUploadFile>& files,
                              int workers, bool compress, ProgressSum* sum);

}  // namespace spacehub::client::detail
