// XetService: the server side of the Xet protocol (issue #15; spec in docs/design/0011-xet.md).
//  - Tokens: the Hub's xet-read-token / xet-write-token answers (xet_grant.h).
//  - CAS: xorb upload (every chunk decoded and hashed, the xorb hash recomputed, nothing stored
//    unless all of it checks), shard upload (every term's xorb present and readable by the
//    uploader, verification hashes, file hashes and SHA-256s recomputed), the dedup query
//    (answers only from xorbs a repo the caller may read uses), reconstructions with ranges, and
//    signed xorb range URLs for the download.
//  - Files: the bytes of a Xet-stored LFS object for clients that do not speak Xet.
// Thread-safe: holds a reference to the Hub, and the count of shard checks under way (so the API's
// one instance is the one that admits them).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "service/access.h"
#include "service/xet_grant.h"
#include "service/xet_reader.h"
#include "service/xet_records.h"
#include "service/xet_shard_admission.h"
#include "service/xet_xorb_upload.h"
#include "xet/shard_format.h"
#include "xet/xet_hash.h"

namespace spacehub::service {

struct XetTokenAnswer {
  std::string access_token;
  int64_t expires_at = 0;  // unix seconds
};

// One term of a reconstruction and where its bytes are in the xorb.
struct XetReconTerm {
  std::string xorb;  // protocol hex
  uint32_t chunk_start = 0;
  uint32_t chunk_end = 0;
  uint64_t unpacked_bytes = 0;
  uint64_t byte_start = 0;  // of chunk_start's header
  uint64_t byte_end = 0;    // inclusive: the last byte of chunk_end - 1
};

struct XetReconstruction {
  uint64_t offset_into_first_range = 0;
  std::vector<XetReconTerm> terms;
};

// What a signed xorb URL grants, checked.
struct XetXorbWindow {
  std::string path;  // the stored xorb
  uint64_t start = 0;
  uint64_t end = 0;  // inclusive
};

// Follows one shard's check (the /v2/shards progress stream), on the thread that runs it.
class ShardProgress {
 public:
  virtual ~ShardProgress() = default;
  // `verified` of the shard's `total` files are checked.
  virtual void Validating(uint64_t verified, uint64_t total) = 0;
  // Checked; the files are being recorded.
  virtual void Committing() = 0;
  // Whether anyone still waits for the answer: false stops the check at its next step, and the
  // shard records nothing.
  virtual bool Wanted() const = 0;
};

class XetService final {
 public:
  explicit XetService(Hub& hub)
      : hub_(hub),
        admission_({.per_user = hub.options.xet_shard_checks_per_user,
                    .total = hub.options.xet_shard_checks}) {}

  // GET /api/{type}s/{id}/xet-{read|write}-token/{rev}: read needs read access (anonymous on a
  // public repo), write needs write access; the revision must exist (404 otherwise).
  Result<XetTokenAnswer> IssueToken(const Caller& who, const RepoId& id, const std::string& rev,
                                    bool write);

  // POST /cas/v1/xorbs/default/<hash>, streamed: the grant's write scope, the hash's syntax and
  // the body's declared `length` (when the request has one) are checked here, before any body
  // byte; the body goes to the upload (xet_xorb_upload.h).
  Result<std::unique_ptr<XorbUpload>> BeginXorb(const XetGrant& grant, std::string_view hash,
                                                std::optional<uint64_t> length = std::nullopt);
  // The same with the whole body at hand.
  Result<bool> UploadXorb(const XetGrant& grant, std::string_view hash, std::string_view body);
  // Returns 1 when the shard recorded something new, 0 when everything was known. Takes a place
  // among the checks under way (AdmitShardCheck) while it runs.
  Result<int> UploadShard(const XetGrant& grant, std::string_view body);
  // A place among the shard checks under way for the grant's user (xet_shard_admission.h): 429
  // when they have as many as one user may, 503 when the hub has as many as it takes. Held by
  // a /v2/shards check from before it queues until it ends.
  Result<ShardAdmission::Ticket> AdmitShardCheck(const XetGrant& grant);
  // The shard's body, parsed (400 when it is not one, or too large); then RecordShard.
  static Result<xet::Shard> ParseShardBody(std::string_view body);
  // UploadShard once parsed, told to `progress` when given. It may run long (every new file's
  // bytes are read back for their SHA-256): not on an I/O thread.
  Result<int> RecordShard(const XetGrant& grant, const xet::Shard& shard,
                          ShardProgress* progress = nullptr);
  // A serialized shard describing xorbs that hold the chunk and the other xorbs of the files
  // those belong to (up to 64 in all, each one the caller may use), chunk hashes HMAC-protected;
  // kNotFound when no xorb the caller may use has it.
  Result<std::string> DedupQuery(const XetGrant& grant, std::string_view chunk_hash);
  // `range`: inclusive byte range of the file, when asked. 416 when it starts past the end.
  Result<XetReconstruction> Reconstruct(const XetGrant& grant, std::string_view file_hash,
                                        std::optional<std::pair<uint64_t, uint64_t>> range);
  Result<uint64_t> FileSize(const XetGrant& grant, std::string_view file_hash);
  Result<uint64_t> XorbSize(const XetGrant& grant, std::string_view xorb_hash);

  // "/cas/xorb-data/<hash>/<start>-<end>/<expires>/<hmac>": bytes [start, end] of the xorb for
  // the token's lifetime, to anyone holding the URL (clients fetch it without credentials).
  std::string SignedXorbPath(std::string_view xorb, uint64_t start, uint64_t end) const;
  Result<XetXorbWindow> CheckXorbPath(std::string_view xorb, std::string_view range,
                                      std::string_view expires, std::string_view signature) const;

  // The Xet file recorded with this SHA-256, when the repo may read it (the object is linked to
  // the repo); nullopt when the object is not Xet-stored.
  Result<std::optional<db::XetFileRow>> FileForObject(int64_t repo_id, std::string_view sha256);
  Result<std::unique_ptr<XetFileReader>> OpenFile(const db::XetFileRow& file);

  // Deletes xorbs no recorded file of a live repo uses, created (or last uploaded) before
  // `created_before` (seconds of the hub's clock), and stored xorbs written before then that have
  // no row; returns how many went. Safe beside uploads and shards of the same xorbs.
  Result<size_t> Sweep(int64_t created_before);

 private:
  // Whether the xorb is one the grant's caller may use: uploaded to or used by the grant's repo,
  // or used by another repo the caller may read.
  Result<bool> MayUseXorb(const XetGrant& grant, std::string_view xorb);
  // What checking one shard's files keeps between them: the chunk records of the xorbs seen, and
  // the bytes recorded so far.
  struct ShardCheck {
    std::map<xet::XetHash, std::vector<StoredChunk>> xorbs;
    uint64_t bytes = 0;
    ShardProgress* progress = nullptr;
    // Unavailable once no one waits for the answer.
    Status StillWanted() const;
  };
  // One file of a shard: every term against the stored chunk records, the file hash and the
  // SHA-256 recomputed; the row to record.
  Result<db::XetFileRow> CheckFile(const XetGrant& grant, const xet::FileInfo& file,
                                   ShardCheck& check);
  Status CheckSha256(const db::XetFileRow& row, const ShardCheck& check);
  // The recorded file when the repo may read it (nullopt otherwise).
  Result<std::optional<db::XetFileRow>> RepoFile(int64_t repo_id, const xet::XetHash& file_hash);
  Hub& hub_;
  ShardAdmission admission_;
};

}  // namespace spacehub::service
