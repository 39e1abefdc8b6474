// The second half of a Xet upload (spec: upload-protocol.md), after the LFS batch answered
// transfer "xet": global dedup queries for the files' eligible chunks, new xorbs built from the
// chunks the hub does not have and uploaded on up to `workers` threads (read back from the file,
// never hashed again), then one shard recording every file. The commit that follows names the
// files by their SHA-256 as for plain LFS. Runs on the calling thread plus the workers it joins.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "client/parallel.h"
#include "client/xet_plan.h"
#include "xet/shard_format.h"

namespace spacehub::client::detail {

// A CAS address and the Bearer token for it (read or write), as the hub hands them out.
struct XetCasAuth {
  std::string cas_url;  // no trailing slash
  std::string token;
};

// From a token answer's casUrl/accessToken or a batch's X-Xet-Cas-Url/X-Xet-Access-Token:
// nullopt when either is missing; trailing slashes go.
std::optional<XetCasAuth> CasAuth(std::string cas_url, std::string token);

struct XetUploadStats {
  uint64_t xorb_bytes_sent = 0;  // serialized xorb bytes POSTed
  uint64_t deduped_bytes = 0;    // raw bytes found already stored
  size_t xorbs = 0;
  double dedup_seconds = 0, xorb_seconds = 0, shard_seconds = 0;  // wall time of each step
};

// A file whose xorbs were posted while it was being chunked (xet_early_upload.h): its plan over
// the whole chunk list, and what sending them cost.
struct SentXorbs {
  FilePlan plan;
  XetUploadStats stats;
};

struct XetUploadFile {
  std::string local_path;                // read from here, unless `content` is set
  const std::string* content = nullptr;  // in-memory bytes (CommitOperation::AddBytes)
  std::string sha256{};                  // hex, the LFS oid the commit will name
  const std::vector<FileChunk>* chunks = nullptr;
  const SentXorbs* sent = nullptr;  // set: only the shard is left to send for it
};

// One global dedup query: the answer's shard, or nullopt (none, or a failure, which only costs
// the dedup).
std::optional<xet::Shard> AskDedup(const XetCasAuth& auth, const xet::XetHash& chunk);
// POSTs one new xorb of `f`; the bytes sent. Throws like the LFS path.
uint64_t PostXorb(const XetCasAuth& auth, const XetUploadFile& f, const NewXorb& x, bool compress);

// Throws HttpError / NetworkError / LocalError like the LFS path. `sum` may be null.
XetUploadStats UploadXetFiles(const XetCasAuth& auth, const std::vector<XetUploadFile>& files,
                              int workers, bool compress, ProgressSum* sum);

}  // namespace spacehub::client::detail
