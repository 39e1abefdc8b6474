// SecretBox: authenticated encryption of Space secrets at rest (AES-256-GCM, OpenSSL EVP) under a
// keyring of master keys with integer ids. New values are sealed under the newest key; older keys
// stay readable so a rotation can re-seal existing values (and until it has).
//
// Sealed form: "v1:<key id>:" + base64(nonce[12] || ciphertext || tag[16]). The caller's `aad`
// (e.g. the Space and the secret's name) is authenticated but not stored, so a sealed value copied
// to another Space or key fails to open.
//
// Keyring on disk: one file per key, `<dir>/secret-master-<id>.key`, 64 hex digits, mode 0600,
// written completely (temp file + fsync + rename) before it becomes visible.
//
// Thread-safety: all methods may be called concurrently (the keyring is guarded by a mutex and
// reloaded from its directory when a newer key appears, e.g. after `spacehub admin secrets
// rotate-key` ran beside a live server). Error messages never contain plaintext.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/result.h"

namespace spacehub {

class SecretBox final {
 public:
  // In-memory keyring (tests): id → 32 raw key bytes. No directory: Rotate() is refused.
  explicit SecretBox(std::map<int64_t, std::string> keys);
  // Loads the keyring in `dir`, creating the directory and a first key when there is none.
  static Result<std::unique_ptr<SecretBox>> OpenDir(const std::filesystem::path& dir);

  SecretBox(const SecretBox&) = delete;
  SecretBox& operator=(const SecretBox&) = delete;

  Result<std::string> Seal(std::string_view plaintext, std::string_view aad);
  // kInvalidArgument for a malformed value, kPermissionDenied for a failed authentication (tampered
  // value, wrong aad), kNotFound for a key id the keyring lacks.
  Result<std::string> Open(std::string_view sealed, std::string_view aad);
  // True when `sealed` is not under the active key (a rotation should re-seal it).
  bool NeedsReseal(std::string_view sealed);
  // Adds a new key (id = newest + 1), writes it to the keyring directory, makes it active.
  Result<int64_t> Rotate();
  int64_t active_key_id();

 private:
  SecretBox(std::filesystem::path dir, std::map<int64_t, std::string> keys);
  Status ReloadLocked();

  std::mutex mu_;
  std::filesystem::path dir_;            // empty for an in-memory keyring
  std::map<int64_t, std::string> keys_;  // guarded by mu_; id → raw key
};

}  // namespace spacehub
