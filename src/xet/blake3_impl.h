// Internals of blake3.cc shared with its SIMD files (blake3_sse41.cc, blake3_avx2.cc,
// blake3_avx512.cc): the
// constants of the BLAKE3 spec and the entry points that hash whole chunks. Not part of the xet
// API. Pure functions over the caller's buffers; thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace spacehub::xet::blake3_internal {

inline constexpr size_t kBlockLen = 64;
inline constexpr size_t kChunkLen = 1024;
inline constexpr size_t kBlocksPerChunk = kChunkLen / kBlockLen;

inline constexpr uint8_t kChunkStart = 1;
inline constexpr uint8_t kChunkEnd = 2;
inline constexpr uint8_t kParent = 4;
inline constexpr uint8_t kRoot = 8;
inline constexpr uint8_t kKeyedHash = 16;

inline constexpr std::array<uint32_t, 8> kIv = {0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A,
                                                0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19};

// The message word order of each of the 7 rounds (the spec's permutation applied r times).
inline constexpr std::array<std::array<uint8_t, 16>, 7> kSchedule = {{
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8},
    {3, 4, 10, 12, 13, 2, 7, 14, 6, 5, 9, 0, 11, 15, 8, 1},
    {10, 7, 12, 9, 14, 3, 13, 15, 4, 0, 11, 2, 5, 8, 1, 6},
    {12, 13, 9, 11, 15, 10, 14, 8, 7, 2, 5, 3, 0, 1, 6, 4},
    {9, 14, 11, 5, 8, 12, 15, 1, 13, 3, 0, 10, 2, 6, 4, 7},
    {11, 15, 5, 0, 1, 9, 8, 6, 14, 10, 2, 12, 3, 4, 7, 13},
}};

using Cv = std::array<uint32_t, 8>;

// The full 16-word compression output (the XOF needs all of it; a CV is its first 8 words).
std::array<uint32_t, 16> Compress(const Cv& cv, const uint8_t* block, uint8_t block_len,
                                  uint64_t counter, uint8_t flags);

// Inputs hashed side by side, each `blocks` 64-byte blocks, `stride` bytes apart: whole chunks
// (ChunksAt) or parent nodes (ParentsAt: one block, the children's CVs). Input i has counter
// `counter + i` when `increment_counter`, else `counter`; the first block of each also gets
// `flags_start`, the last `flags_end`. None may be the root.
struct Many8 {
  const uint8_t* input = nullptr;
  size_t stride = 0;
  size_t blocks = 0;
  uint64_t counter = 0;
  bool increment_counter = false;
  uint8_t flags = 0;
  uint8_t flags_start = 0;
  uint8_t flags_end = 0;

  static Many8 ChunksAt(const uint8_t* input, uint64_t counter, uint8_t flags) {
    return {input, kChunkLen, kBlocksPerChunk, counter, true, flags, kChunkStart, kChunkEnd};
  }
  static Many8 ParentsAt(const uint8_t* blocks, uint8_t flags) {
    return {blocks, kBlockLen, 1, 0, false, static_cast<uint8_t>(flags | kParent), 0, 0};
  }
  // The same job `n` inputs further on.
  Many8 Skip(size_t n) const {
    Many8 next = *this;
    next.input += n * stride;
    if (increment_counter) next.counter += n;
    return next;
  }
};

// The CVs of `n` inputs of `job`, one at a time.
void HashManyPortable(const Many8& job, size_t n, const Cv& key, Cv* out);
// Exactly 4 (SSE4.1) or 8 (AVX2, AVX-512VL) inputs; only call when the CPU has the instructions.
void HashMany4Sse41(const Many8& job, const Cv& key, Cv* out);
void HashMany8Avx2(const Many8& job, const Cv& key, Cv* out);
void HashMany8Avx512(const Many8& job, const Cv& key, Cv* out);

}  // namespace spacehub::xet::blake3_internal
