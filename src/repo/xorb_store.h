// XorbStore: Xet xorbs on disk, content-addressed (the BlobStore seam beside LfsStore: a local
// directory now, an object store later). Layout: <root>/xorbs/<aa>/<bb>/<hash>, <root>/tmp/.
// A xorb is written to a temp file, fsynced, renamed into place and its folder fsynced, so a
// kill -9 at any step leaves either no object or the whole one, and an acknowledged put survives.
// The caller has verified the bytes (xet/xorb_format.h) before Put: the store trusts the hash.
// Thread-safety: all methods may be called concurrently; two puts of one hash both succeed and
// leave one object.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/result.h"

namespace spacehub::repo {

class XorbStore final {
 public:
  explicit XorbStore(std::filesystem::path root);

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

 private:
  std::filesystem::path root_;
};

}  // namespace spacehub::repo
