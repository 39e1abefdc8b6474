// Four BLAKE3 chunks at once with SSE4.1: lane i of every vector belongs to chunk i, so the 16
// state words of the compression function are 16 vectors and each instruction advances all four.
// Compiled for every x86 build; blake3.cc calls it only when the CPU reports SSE4.1.
#include "xet/blake3_impl.h"

#if defined(__x86_64__) || defined(__i386__)

#include <immintrin.h>

#define SPACEHUB_SSE41 __attribute__((target("sse4.1")))

namespace spacehub::xet::blake3_internal {
namespace {

SPACEHUB_SSE41 inline __m128i Rot16(__m128i x) {
  return _mm_shuffle_epi8(x, _mm_setr_epi8(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13));
}
SPACEHUB_SSE41 inline __m128i Rot12(__m128i x) {
  return _mm_or_si128(_mm_srli_epi32(x, 12), _mm_slli_epi32(x, 20));
}
SPACEHUB_SSE41 inline __m128i Rot8(__m128i x) {
  return _mm_shuffle_epi8(x, _mm_setr_epi8(1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12));
}
SPACEHUB_SSE41 inline __m128i Rot7(__m128i x) {
  return _mm_or_si128(_mm_srli_epi32(x, 7), _mm_slli_epi32(x, 25));
}

SPACEHUB_SSE41 inline void G(__m128i* v, int a, int b, int c, int d, __m128i x, __m128i y) {
  v[a] = _mm_add_epi32(_mm_add_epi32(v[a], v[b]), x);
  v[d] = Rot16(_mm_xor_si128(v[d], v[a]));
  v[c] = _mm_add_epi32(v[c], v[d]);
  v[b] = Rot12(_mm_xor_si128(v[b], v[c]));
  v[a] = _mm_add_epi32(_mm_add_epi32(v[a], v[b]), y);
  v[d] = Rot8(_mm_xor_si128(v[d], v[a]));
  v[c] = _mm_add_epi32(v[c], v[d]);
  v[b] = Rot7(_mm_xor_si128(v[b], v[c]));
}

// Rows r[0..3] of four words each become columns: r[j] holds word j of every former row.
SPACEHUB_SSE41 inline void Transpose(__m128i* r) {
  const __m128i t0 = _mm_unpacklo_epi32(r[0], r[1]);
  const __m128i t1 = _mm_unpackhi_epi32(r[0], r[1]);
  const __m128i t2 = _mm_unpacklo_epi32(r[2], r[3]);
  const __m128i t3 = _mm_unpackhi_epi32(r[2], r[3]);
  r[0] = _mm_unpacklo_epi64(t0, t2);
  r[1] = _mm_unpackhi_epi64(t0, t2);
  r[2] = _mm_unpacklo_epi64(t1, t3);
  r[3] = _mm_unpackhi_epi64(t1, t3);
}

SPACEHUB_SSE41 inline __m128i Load(const uint8_t* p) {
  return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
}

}  // namespace

SPACEHUB_SSE41 void HashMany4Sse41(const Many8& job, const Cv& key, Cv* out) {
  __m128i h[8];
  for (size_t i = 0; i < 8; ++i) h[i] = _mm_set1_epi32(static_cast<int>(key[i]));
  alignas(16) uint32_t lo[4];
  alignas(16) uint32_t hi[4];
  for (size_t lane = 0; lane < 4; ++lane) {
    const uint64_t c = job.counter + (job.increment_counter ? lane : 0);
    lo[lane] = static_cast<uint32_t>(c);
    hi[lane] = static_cast<uint32_t>(c >> 32);
  }
  const __m128i counter_lo = _mm_load_si128(reinterpret_cast<const __m128i*>(lo));
  const __m128i counter_hi = _mm_load_si128(reinterpret_cast<const __m128i*>(hi));
  for (size_t b = 0; b < job.blocks; ++b) {
    __m128i m[16];
    for (size_t g = 0; g < 4; ++g) {
      for (size_t lane = 0; lane < 4; ++lane) {
        m[4 * g + lane] = Load(job.input + lane * job.stride + b * kBlockLen + 16 * g);
      }
      Transpose(&m[4 * g]);
    }
    uint8_t block_flags = job.flags;
    if (b == 0) block_flags |= job.flags_start;
    if (b + 1 == job.blocks) block_flags |= job.flags_end;
    __m128i v[16] = {h[0],
                     h[1],
                     h[2],
                     h[3],
                     h[4],
                     h[5],
                     h[6],
                     h[7],
                     _mm_set1_epi32(static_cast<int>(kIv[0])),
                     _mm_set1_epi32(static_cast<int>(kIv[1])),
                     _mm_set1_epi32(static_cast<int>(kIv[2])),
                     _mm_set1_epi32(static_cast<int>(kIv[3])),
                     counter_lo,
                     counter_hi,
                     _mm_set1_epi32(static_cast<int>(kBlockLen)),
                     _mm_set1_epi32(block_flags)};
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
    for (size_t i = 0; i < 8; ++i) h[i] = _mm_xor_si128(v[i], v[i + 8]);
  }
  Transpose(&h[0]);
  Transpose(&h[4]);
  for (size_t lane = 0; lane < 4; ++lane) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out[lane].data()), h[lane]);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out[lane].data() + 4), h[4 + lane]);
  }
}

}  // namespace spacehub::xet::blake3_internal

#else

namespace spacehub::xet::blake3_internal {
// Never called off x86 (blake3.cc reports no SSE4.1 there); present so the library links.
void HashMany4Sse41(const Many8& job, const Cv& key, Cv* out) {
  HashManyPortable(job, 4, key, out);
}
}  // namespace spacehub::xet::blake3_internal

#endif
