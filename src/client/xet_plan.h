// Planning a Xet upload (spec: upload-protocol.md): which of a file's chunks go into new
// xorbs and which are already stored (dedup answers), how new chunks are packed into xorbs of at
// most 64 MiB and 8192 chunks, the file's reconstruction terms, and the shard that records it all.
// Pure functions over chunk lists (no I/O), so the packing boundaries and the shard are
// unit-tested; xet_upload.cc does the reading and the requests. Thread-safe: no shared state.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "xet/shard_format.h"
#include "xet/xet_hash.h"

namespace spacehub::client::detail {

// xet-core's xorb limits: 64 MiB of raw chunk data and 8192 chunks.
inline constexpr uint64_t kXorbMaxRawBytes = 64ull << 20;
inline constexpr size_t kXorbMaxChunks = 8192;

// One chunk of a local file, as the first pass found it.
struct FileChunk {
  xet::XetHash hash;
  uint64_t offset = 0;  // in the file
  uint32_t length = 0;
};

// Where a chunk already lives in the CAS.
struct StoredChunkRef {
  xet::XetHash xorb;
  uint32_t index = 0;
};

// The chunks dedup answers told us about: a dedup shard's chunk hashes are HMAC'd with its footer
// key, so lookups hash the local chunk with each shard's key. Owned by one upload.
class DedupIndex final {
 public:
  // Records every chunk of every xorb in `shard` (one answer of GET /v1/chunks).
  void AddShard(const xet::Shard& shard);
  std::optional<StoredChunkRef> Find(const xet::XetHash& chunk) const;
  bool empty() const { return by_key_.empty(); }

 private:
  std::vector<std::pair<xet::XetHash, std::map<xet::XetHash, StoredChunkRef>>> by_key_;
};

// A xorb to build and upload: chunk indices into the file's chunk list, in order.
struct NewXorb {
  std::vector<size_t> chunks;
  uint64_t raw_bytes = 0;
  xet::XetHash hash;          // XorbHash of its chunks
  uint64_t stored_bytes = 0;  // serialized size; set when built (raw: chunks + 8-byte headers)
};

struct FilePlan {
  std::vector<NewXorb> xorbs;
  std::vector<xet::FileTerm> terms;  // verification hashes filled in
  xet::XetHash file_hash;
  uint64_t new_bytes = 0;  // raw bytes in new xorbs (what dedup did not save)
};

// Places every chunk: in a stored xorb when `dedup` knows it, else packed in order into new xorbs
// (a new xorb starts when the next chunk would pass either limit). Consecutive chunks of one xorb
// become one term.
FilePlan PlanFile(const std::vector<FileChunk>& chunks, const DedupIndex& dedup,
                  uint64_t max_raw_bytes = kXorbMaxRawBytes, size_t max_chunks = kXorbMaxChunks);

// Which chunks to ask the global dedup API about: the first, then those whose hash % 1024 == 0,
// at most one every ~4 MB of data (the spec's spacing).
std::vector<size_t> DedupQueryChunks(const std::vector<FileChunk>& chunks);

// The chunks to ask about next, given what `dedup` knows now, for the chunks the eligible queries
// missed: xorbs of 64 MiB hold ~1000 chunks and only 1 in 1024 is eligible, so about a third of a
// stored file's xorbs would have no eligible chunk and be sent again. Following the stored layout
// finds them: the first unknown chunk after a known one (where the next stored xorb starts when
// the same bytes were packed the same way), and every `stride`-th chunk of an unknown run (to pick
// the layout up again after changed bytes). Calls `query(i)` for each, in file order, re-checking
// `dedup` after each call (the caller adds the answer to it). Our hub answers for any chunk.
void FollowDedup(const std::vector<FileChunk>& chunks, const DedupIndex& dedup,
                 const std::function<void(size_t)>& query, size_t stride = 64);

// The upload shard: one file entry per (plan, sha256 hex) with verification entries and the
// SHA-256 metadata, and the CAS info of every new xorb of those plans.
struct ShardFile {
  const FilePlan* plan = nullptr;
  const std::vector<FileChunk>* chunks = nullptr;
  std::string sha256_hex;
};
xet::Shard BuildUploadShard(const std::vector<ShardFile>& files);

}  // namespace spacehub::client::detail
