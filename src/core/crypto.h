// Hashing, randomness and encodings on top of OpenSSL, shared by auth (token hashes), repo (git
// object ids, LFS sha256) and the LFS URL signer. All functions are thread-safe.
#pragma once

#include <openssl/evp.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace spacehub {

std::string HexEncode(std::string_view bytes);
std::string Sha256Hex(std::string_view data);
std::string HmacSha256Hex(std::string_view key, std::string_view data);
// `n` bytes from the OS CSPRNG.
std::string RandomBytes(size_t n);
std::string RandomHex(size_t n_bytes);
// Alphanumeric string of length `n` (for tokens).
std::string RandomAlnum(size_t n);
std::string Base64Encode(std::string_view bytes);
Result<std::string> Base64Decode(std::string_view text);
// Constant-time comparison for secrets.
bool ConstantTimeEquals(std::string_view a, std::string_view b);
bool IsHex(std::string_view s, size_t expected_len);

// Incremental SHA-256 for streams (LFS uploads). Not thread-safe; one owner.
class Sha256Stream final {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;

  void Update(std::string_view data);
  void Update(const void* data, size_t size);
  // Returns the lowercase hex digest; the stream must not be updated afterwards.
  std::string FinishHex();

 private:
  EVP_MD_CTX* ctx_;
};

}  // namespace spacehub
