// XorbStore: Xet xorbs on disk, content-addressed (the BlobStore seam beside LfsStore: a local
// directory now, an object store later). Layout: <root>/xorbs/<aa>/<bb>/<hash>, <root>/tmp/.
// A xorb is written to a temp file, fsynced, renamed into place and its folder fsynced, so a
// kill -9 at any step leaves either no object or the whole one, and an acknowledged put survives.
// The caller has verified the bytes (xet/xorb_format.h) before Put or Commit: the store trusts
// the hash. A streamed upload writes through a XorbWriter while it is checked, and commits only
// once the check passed; a writer dropped without Commit leaves nothing.
// Thread-safety: all XorbStore methods may be called concurrently; two puts of one hash both
// succeed and leave one object. A XorbWriter has one owner. What must change a hash's bytes and
// its row as one step holds HashMutex(hash).
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/mutex.h"
#include "core/result.h"

namespace spacehub::repo {

// One xorb being written: bytes go to a temp file under <root>/tmp/ (O_DIRECT, written off the
// caller's thread: repo/pipelined_file.h) as they come; Commit makes them the xorb. Destroyed
// without a successful Commit, the temp file is removed.
class XorbWriter final {
 public:
  ~XorbWriter();
  XorbWriter(const XorbWriter&) = delete;
  XorbWriter& operator=(const XorbWriter&) = delete;

  // Blocks only while the writes in flight are at their bound; reports an earlier write error.
  Status Append(std::string_view bytes);
  // fsync, rename to the xorb's place, fsync of its folder. Returns false, discarding the bytes,
  // when the xorb was already stored. Once only; the writer is spent afterwards, even on error.
  Result<bool> Commit(std::string_view hash);
  uint64_t size() const { return size_; }

 private:
  friend class XorbStore;
  struct File;
  XorbWriter(std::filesystem::path root, std::unique_ptr<File> file);

  std::filesystem::path root_;
  std::unique_ptr<File> file_;
  uint64_t size_ = 0;
};

class XorbStore final {
 public:
  explicit XorbStore(std::filesystem::path root);

  // Starts writing a xorb whose hash is named at Commit.
  Result<std::unique_ptr<XorbWriter>> Begin();
  // Stores the bytes under `hash` (64 lowercase hex). Returns false when it was already stored.
  Result<bool> Put(std::string_view hash, std::string_view bytes);
  bool Exists(std::string_view hash) const;
  Result<uint64_t> Size(std::string_view hash) const;
  // Where the xorb lives (whether or not it exists); empty for a malformed hash.
  std::filesystem::path Path(std::string_view hash) const;
  // Deletes a stored xorb (sweeping); absent is fine.
  Status Remove(std::string_view hash);
  // Deletes temp files older than a day (abandoned puts).
  Status CleanTemp();
  // Calls `fn` for every stored xorb, with when its file was written (a store-wide walk: for the
  // sweep of bytes whose metadata row never came, a kill between rename and row).
  Status ForEach(const std::function<void(std::string_view hash,
                                          std::filesystem::file_time_type written)>& fn) const;

  // Held across a change of a hash's bytes and of its metadata row together (an upload's commit
  // and row; the sweep's row and removal), so that neither sees the other half-done. Striped:
  // unrelated hashes may share a mutex.
  Mutex& HashMutex(std::string_view hash);

 private:
  static constexpr size_t kHashStripes = 64;
  std::filesystem::path root_;
  std::array<Mutex, kHashStripes> stripes_;
};

}  // namespace spacehub::repo
