// See passwords.h.
#include "auth/passwords.h"

#include <argon2.h>

#include <semaphore>
#include <string>

#include "core/crypto.h"

namespace spacehub::auth {
namespace {

constexpr uint32_t kMemoryKiB = 19456;
constexpr uint32_t kPasses = 2;
constexpr uint32_t kLanes = 1;
constexpr size_t kSaltBytes = 16;
constexpr size_t kHashBytes = 32;

// Bounds the memory of concurrent hashes (kMaxConcurrentHashes × 19 MiB).
std::counting_semaphore<kMaxConcurrentHashes>& HashSlots() {
  static std::counting_semaphore<kMaxConcurrentHashes> slots(kMaxConcurrentHashes);
  return slots;
}

class SlotHold {
 public:
  SlotHold() { HashSlots().acquire(); }
  ~SlotHold() { HashSlots().release(); }
  SlotHold(const SlotHold&) = delete;
  SlotHold& operator=(const SlotHold&) = delete;
};

}  // namespace

Result<std::string> HashPassword(std::string_view password) {
  const std::string salt = RandomBytes(kSaltBytes);
  const size_t encoded_len =
      argon2_encodedlen(kPasses, kMemoryKiB, kLanes, kSaltBytes, kHashBytes, Argon2_id);
  std::string encoded(encoded_len, '\0');
  int rc;
  {
    SlotHold hold;
    rc =
        argon2id_hash_encoded(kPasses, kMemoryKiB, kLanes, password.data(), password.size(),
                              salt.data(), salt.size(), kHashBytes, encoded.data(), encoded.size());
  }
  if (rc != ARGON2_OK) {
    return Status::Internal(std::string("argon2id: ") + argon2_error_message(rc));
  }
  encoded.resize(encoded.find('\0'));  // argon2_encodedlen counts the terminator
  return encoded;
}

bool VerifyPassword(std::string_view password, std::string_view phc) {
  // argon2id_verify reads a C string, and a stored value with other parameters than ours is still
  // honoured (PHC carries them); only argon2id is accepted.
  if (!phc.starts_with("$argon2id$") || phc.find('\0') != std::string_view::npos) return false;
  const std::string encoded(phc);
  SlotHold hold;
  return argon2id_verify(encoded.c_str(), password.data(), password.size()) == ARGON2_OK;
}

}  // namespace spacehub::auth
