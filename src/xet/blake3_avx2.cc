// Eight BLAKE3 chunks at once with AVX2 (the kernel: blake3_x8.inc). Compiled for every x86
// build; blake3.cc calls it only when the CPU reports AVX2.
#include "xet/blake3_impl.h"

#if defined(__x86_64__) || defined(__i386__)

#define SPACEHUB_X8_TARGET __attribute__((target("avx2")))
#define SPACEHUB_X8_NAME HashMany8Avx2
#include "xet/blake3_x8.inc"

#else

namespace spacehub::xet::blake3_internal {
// Never called off x86 (blake3.cc reports no AVX2 there); present so the library links.
void HashMany8Avx2(const Many8& job, const Cv& key, Cv* out) { HashManyPortable(job, 8, key, out); }
}  // namespace spacehub::xet::blake3_internal

#endif
