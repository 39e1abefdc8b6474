// LfsStore: content-addressed storage of git-lfs objects (the BlobStore seam: a local directory
// now, an S3-compatible store later).
//
// Layout: <root>/objects/<aa>/<bb>/<sha256>; uploads stream into <root>/tmp/ and are hashed as they
// arrive; an object becomes visible only complete and verified (fsync + rename). Multipart uploads
// whose parts arrive in order (what clients that send parts one after another do) are assembled
// and hashed as they come, in one temp file under <root>/tmp/multipart/<oid>/, so completing one
// only checks the hash and renames; parts out of order are kept as <n>.<token>.part beside it, and
// the completion stitches the object together from both.
//
// Thread-safety: all methods may be called concurrently. A Writer has one owner.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/mutex.h"
#include "core/result.h"

namespace spacehub::repo {

class LfsStore final {
 public:
  // Receives one object's bytes. Destroying a Writer without a successful Commit() deletes the
  // temporary file: nothing is kept.
  class Writer {
   public:
    virtual ~Writer() = default;
    // kInvalidArgument once more bytes than the expected size arrive.
    virtual Status Write(std::string_view chunk) = 0;
    // Verifies size and SHA-256 against what was announced, then publishes the object.
    // kInvalidArgument with a message naming the mismatch otherwise.
    virtual Status Commit() = 0;
  };

  // An in-order multipart assembly; opaque outside lfs_store.cc.
  struct Chain;

  explicit LfsStore(std::filesystem::path root);

  bool Exists(std::string_view oid) const;
  // Size of a stored object; kNotFound when absent.
  Result<uint64_t> Size(std::string_view oid) const;
  // Where the object lives (whether or not it exists); empty when `oid` is not 64 lowercase hex.
  std::filesystem::path ObjectPath(std::string_view oid) const;

  // oid must be 64 lowercase hex digits (kInvalidArgument otherwise).
  Result<std::unique_ptr<Writer>> BeginUpload(std::string_view oid, uint64_t expected_size);

  // One part of a multipart upload. Destroying it without Commit() discards the part.
  class PartWriter {
   public:
    virtual ~PartWriter() = default;
    virtual Status Write(std::string_view chunk) = 0;
    // Checks the part's size and keeps it; returns its ETag (a quoted random token naming this
    // version of the part).
    virtual Result<std::string> Commit() = 0;
  };
  // Multipart: parts may arrive in any order and concurrently; re-sending a part replaces it.
  // `expected_size`: the part's; `object_size`: the whole object's.
  Result<std::unique_ptr<PartWriter>> BeginPart(std::string_view oid, int part_number,
                                                uint64_t expected_size, uint64_t object_size);
  struct PartRef {
    int part_number = 0;
    std::string etag;
  };
  // Publishes the object from the named parts after checking its SHA-256: the in-order assembly
  // when it holds exactly those parts, else the parts concatenated and hashed now.
  Status CompleteMultipart(std::string_view oid, uint64_t expected_size,
                           const std::vector<PartRef>& parts);

  // Deletes files under <root>/tmp/ (abandoned uploads and parts) last modified more than a day
  // ago, and multipart folders left empty. Optional housekeeping, e.g. at startup.
  Status CleanTemp();

 private:
  // The chain part `part_number` of `oid` extends, marked as being written; null when the part
  // goes to a file of its own.
  std::shared_ptr<Chain> ClaimChain(std::string_view oid, int part_number, uint64_t object_size);
  // Removes and returns the chain of `oid` (null when none); kFailedPrecondition while one of its
  // parts is still being received.
  Result<std::shared_ptr<Chain>> TakeChain(std::string_view oid);
  void PutBackChain(std::string_view oid, std::shared_ptr<Chain> chain);

  std::filesystem::path root_;
  Mutex chains_mu_;
  std::map<std::string, std::shared_ptr<Chain>, std::less<>> chains_ GUARDED_BY(chains_mu_);
};

}  // namespace spacehub::repo
