// Eight BLAKE3 chunks at once with AVX2: lane i of every vector belongs to chunk i, so the 16
// state words of the compression function are 16 vectors and each instruction advances all eight.
// Compiled for every x86 build; blake3.cc calls it only when the CPU reports AVX2.
#include "xet/blake3_impl.h"

#if defined(__x86_64__) || defined(__i386__)

#include <immintrin.h>

#define SPACEHUB_AVX2 __attribute__((target("avx2")))

namespace spacehub::xet::blake3_internal {
namespace {

SPACEHUB_AVX2 inline __m256i Rot16(__m256i x) {
  return _mm256_shuffle_epi8(
      x, _mm256_setr_epi8(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13, 2, 3, 0, 1, 6, 7, 4,
                          5, 10, 11, 8, 9, 14, 15, 12, 13));
}
SPACEHUB_AVX2 inline __m256i Rot12(__m256i x) {
  return _mm256_or_si256(_mm256_srli_epi32(x, 12), _mm256_slli_epi32(x, 20));
}
SPACEHUB_AVX2 inline __m256i Rot8(__m256i x) {
  return _mm256_shuffle_epi8(
      x, _mm256_setr_epi8(1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12, 1, 2, 3, 0, 5, 6, 7,
                          4, 9, 10, 11, 8, 13, 14, 15, 12));
}
SPACEHUB_AVX2 inline __m256i Rot7(__m256i x) {
  return _mm256_or_si256(_mm256_srli_epi32(x, 7), _mm256_slli_epi32(x, 25));
}

SPACEHUB_AVX2 inline void G(__m256i* v, int a, int b, int c, int d, __m256i x, __m256i y) {
  v[a] = _mm256_add_epi32(_mm256_add_epi32(v[a], v[b]), x);
  v[d] = Rot16(_mm256_xor_si256(v[d], v[a]));
  v[c] = _mm256_add_epi32(v[c], v[d]);
  v[b] = Rot12(_mm256_xor_si256(v[b], v[c]));
  v[a] = _mm256_add_epi32(_mm256_add_epi32(v[a], v[b]), y);
  v[d] = Rot8(_mm256_xor_si256(v[d], v[a]));
  v[c] = _mm256_add_epi32(v[c], v[d]);
  v[b] = Rot7(_mm256_xor_si256(v[b], v[c]));
}

// Rows r[0..7] of eight words each become columns: r[j] holds word j of every former row.
SPACEHUB_AVX2 inline void Transpose(__m256i* r) {
  __m256i t[8];
  for (size_t i = 0; i < 8; i += 2) {
    t[i] = _mm256_unpacklo_epi32(r[i], r[i + 1]);
    t[i + 1] = _mm256_unpackhi_epi32(r[i], r[i + 1]);
  }
  // u[k] for k < 4: rows 0-3, columns k and k+4; u[4 + k]: the same for rows 4-7.
  __m256i u[8];
  for (size_t half = 0; half < 8; half += 4) {
    u[half + 0] = _mm256_unpacklo_epi64(t[half + 0], t[half + 2]);
    u[half + 1] = _mm256_unpackhi_epi64(t[half + 0], t[half + 2]);
    u[half + 2] = _mm256_unpacklo_epi64(t[half + 1], t[half + 3]);
    u[half + 3] = _mm256_unpackhi_epi64(t[half + 1], t[half + 3]);
  }
  for (size_t k = 0; k < 4; ++k) {
    r[k] = _mm256_permute2x128_si256(u[k], u[4 + k], 0x20);
    r[k + 4] = _mm256_permute2x128_si256(u[k], u[4 + k], 0x31);
  }
}

SPACEHUB_AVX2 inline __m256i Load(const uint8_t* p) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}

SPACEHUB_AVX2 inline __m256i Splat(uint32_t x) { return _mm256_set1_epi32(static_cast<int>(x)); }

}  // namespace

SPACEHUB_AVX2 void HashChunks8Avx2(const uint8_t* input, const Cv& key, uint64_t counter,
                                   uint8_t flags, Cv* out) {
  __m256i h[8];
  for (size_t i = 0; i < 8; ++i) h[i] = Splat(key[i]);
  alignas(32) uint32_t lo[8];
  alignas(32) uint32_t hi[8];
  for (size_t lane = 0; lane < 8; ++lane) {
    lo[lane] = static_cast<uint32_t>(counter + lane);
    hi[lane] = static_cast<uint32_t>((counter + lane) >> 32);
  }
  const __m256i counter_lo = _mm256_load_si256(reinterpret_cast<const __m256i*>(lo));
  const __m256i counter_hi = _mm256_load_si256(reinterpret_cast<const __m256i*>(hi));
  for (size_t b = 0; b < kBlocksPerChunk; ++b) {
    __m256i m[16];
    for (size_t g = 0; g < 2; ++g) {
      for (size_t lane = 0; lane < 8; ++lane) {
        m[8 * g + lane] = Load(input + lane * kChunkLen + b * kBlockLen + 32 * g);
      }
      Transpose(&m[8 * g]);
    }
    uint8_t block_flags = flags;
    if (b == 0) block_flags |= kChunkStart;
    if (b + 1 == kBlocksPerChunk) block_flags |= kChunkEnd;
    __m256i v[16] = {h[0],
                     h[1],
                     h[2],
                     h[3],
                     h[4],
                     h[5],
                     h[6],
                     h[7],
                     Splat(kIv[0]),
                     Splat(kIv[1]),
                     Splat(kIv[2]),
                     Splat(kIv[3]),
                     counter_lo,
                     counter_hi,
                     Splat(kBlockLen),
                     Splat(block_flags)};
    // Unrolled, each round's message words are fixed registers or stack slots, not table lookups.
#pragma GCC unroll 7
    for (const auto& s : kSchedule) {
      G(v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
      G(v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
      G(v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
      G(v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
      G(v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
      G(v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
      G(v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
      G(v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
    }
    for (size_t i = 0; i < 8; ++i) h[i] = _mm256_xor_si256(v[i], v[i + 8]);
  }
  Transpose(h);
  for (size_t lane = 0; lane < 8; ++lane) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out[lane].data()), h[lane]);
  }
}

}  // namespace spacehub::xet::blake3_internal

#else

namespace spacehub::xet::blake3_internal {
// Never called off x86 (blake3.cc reports no AVX2 there); present so the library links.
void HashChunks8Avx2(const uint8_t* input, const Cv& key, uint64_t counter, uint8_t flags,
                     Cv* out) {
  HashChunksPortable(input, 8, key, counter, flags, out);
}
}  // namespace spacehub::xet::blake3_internal

#endif
