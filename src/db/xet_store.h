// XetStore: the metadata of Xet storage (db/metadata_store.h holds one, xet()). Xorb bytes live in
// repo::XorbStore; here are what each xorb holds (its chunks, for reconstruction and dedup), the
// files recorded by shards (their reconstruction terms and SHA-256), and which repos may use
// which xorb and file. Hashes are the protocol's 64-hex strings.
//
// Access model: a xorb or file is readable through a repo only once that repo proved it has the
// bytes (uploaded the xorb, or recorded a file built only from xorbs it may read), so knowing a
// hash never grants another repo's data.
//
// Thread-safe: implementations serialise on their own connection.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace spacehub::db {

struct XorbRow {
  std::string hash;
  uint64_t stored_bytes = 0;    // serialized size on disk
  uint64_t unpacked_bytes = 0;  // sum of the chunks' raw lengths
  uint32_t num_chunks = 0;
  // Per chunk, packed little-endian: raw hash (32), header offset (u32), stored bytes (u32),
  // unpacked bytes (u32) — 44 bytes each (service/xet_records.h reads and writes it).
  std::string chunks;
  int64_t created_at = 0;
};

struct XetFileRow {
  std::string file_hash;
  uint64_t size = 0;
  std::string sha256;  // lowercase hex; "" when the shard carried none
  // Per term, packed little-endian: xorb raw hash (32), chunk start (u32), chunk end (u32),
  // unpacked bytes (u32) — 44 bytes each.
  std::string terms;
  std::vector<std::string> xorbs;  // the distinct xorbs the terms use (for reachability)
};

// Where a chunk can be found for dedup.
struct ChunkLocation {
  std::string xorb_hash;
  uint32_t chunk_index = 0;
};

class XetStore {
 public:
  virtual ~XetStore() = default;

  // Records a xorb whose bytes are stored (idempotent: an existing row is kept, its created_at
  // moved up to the row's) with its chunk index for dedup, and lets `repo_id` use it. Returns
  // whether the row is new.
  virtual Result<bool> AddXorb(const XorbRow& row, const std::vector<std::string>& chunk_hashes,
                               int64_t repo_id) = 0;
  virtual Result<std::optional<XorbRow>> FindXorb(std::string_view hash) = 0;
  // Whether the xorb has a row, without reading its chunk records (for checks over many xorbs).
  virtual Result<bool> HasXorb(std::string_view hash) = 0;
  // Ids of the repos that may use the xorb.
  virtual Result<std::vector<int64_t>> XorbRepos(std::string_view hash) = 0;
  // Xorbs holding the chunk, at most `limit`.
  virtual Result<std::vector<ChunkLocation>> FindChunk(std::string_view chunk_hash,
                                                       size_t limit) = 0;

  // The other xorbs of the files that use `xorb` (the neighbours a client re-uploading a changed
  // file will want), at most `limit`.
  virtual Result<std::vector<std::string>> XorbsOfFilesUsing(std::string_view xorb,
                                                             size_t limit) = 0;

  // Records files (idempotent) and links them to the repo, all in one transaction; each file with a
  // SHA-256 is also linked as an LFS object of the repo (LfsLinkStore), so commits and git-lfs see
  // it. NotFound, recording nothing, when a xorb a file uses has no row (swept meanwhile).
  virtual Status AddFiles(const std::vector<XetFileRow>& files,
                          const std::vector<std::string>& xorbs_used, int64_t repo_id) = 0;
  virtual Result<std::optional<XetFileRow>> FindFile(std::string_view file_hash) = 0;
  virtual Result<std::optional<XetFileRow>> FindFileBySha256(std::string_view sha256) = 0;
  virtual Result<bool> FileInRepo(std::string_view file_hash, int64_t repo_id) = 0;

  // Sweep: xorbs no file uses and no repo still links, or that only deleted repos used, created
  // (or last uploaded) before `created_before` (uploads between their xorbs and their shard stay).
  virtual Result<std::vector<std::string>> UnreachableXorbs(int64_t created_before,
                                                            size_t limit) = 0;
  // Deletes the xorb's row (and the dead files that used it) if it is still unreachable, in one
  // transaction with that check; returns whether it did. The bytes go after the row: AddFiles then
  // refuses a shard that names it, so no file can come to use bytes about to go.
  virtual Result<bool> DeleteXorbIfUnreachable(std::string_view hash, int64_t created_before) = 0;
};

}  // namespace spacehub::db
