// Password hashing for the web UI's sign-in: argon2id (libargon2) with OWASP's parameters
// (19 MiB, two passes, one lane) and a random 16-byte salt, stored as a PHC string
// ("$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>") so the parameters can be raised later without
// breaking the hashes already stored.
//
// Each hash takes ~19 MiB and tens of milliseconds of one core, so at most kMaxConcurrentHashes run
// at once (the others wait): a burst of sign-ins costs time, never unbounded memory.
//
// Thread-safety: both functions may be called from any thread.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace spacehub::auth {

inline constexpr int kMaxConcurrentHashes = 4;

// The PHC string of `password` with a fresh salt; kInternal only if libargon2 fails.
Result<std::string> HashPassword(std::string_view password);
// True when `password` matches `phc`; false for a mismatch and for a malformed or non-argon2id
// string (an empty stored hash: no password set).
bool VerifyPassword(std::string_view password, std::string_view phc);

}  // namespace spacehub::auth
