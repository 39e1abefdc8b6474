// Eight BLAKE3 chunks at once with AVX-512VL on 256-bit vectors (the kernel: blake3_x8.inc):
// the AVX2 kernel's instructions plus one-instruction rotates, with 32 vector registers. Compiled
// for every x86 build; blake3.cc calls it only when the CPU reports AVX-512F and AVX-512VL.
#include "xet/blake3_impl.h"

#if defined(__x86_64__) || defined(__i386__)

#define SPACEHUB_X8_TARGET __attribute__((target("avx2,avx512f,avx512vl")))
#define SPACEHUB_X8_NAME HashMany8Avx512
#define SPACEHUB_X8_ROR 1
#include "xet/blake3_x8.inc"

#else

namespace spacehub::xet::blake3_internal {
// Never called off x86 (blake3.cc reports no AVX-512 there); present so the library links.
void HashMany8Avx512(const Many8& job, const Cv& key, Cv* out) {
  HashManyPortable(job, 8, key, out);
}
}  // namespace spacehub::xet::blake3_internal

#endif
