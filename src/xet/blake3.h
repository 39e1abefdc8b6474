// BLAKE3 (https://github.com/BLAKE3-team/BLAKE3-specs), written here because Debian 12 packages no
// BLAKE3 library: plain and keyed hashing with 32-byte output, one-shot and incremental. The
// compression function has a portable version and SIMD versions chosen at run time (the CPU's
// features), which hash several 1 KiB BLAKE3 chunks of one input at once.
// Blake3Hasher has one owner; the free functions are thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace spacehub::xet {

using Blake3Key = std::array<uint8_t, 32>;
using Blake3Digest = std::array<uint8_t, 32>;

Blake3Digest Blake3(std::string_view data);
Blake3Digest Blake3Keyed(const Blake3Key& key, std::string_view data);

// The code that hashes whole 1 KiB chunks: the portable loop, or 4 (SSE4.1) or 8 (AVX2) chunks at
// once. All give the same bytes; the fastest the CPU has is picked on first use.
enum class Blake3Backend { kPortable, kSse41, kAvx2, kAvx512 };
Blake3Backend Blake3ActiveBackend();
// Forces one backend for the whole process (tests compare them, the bench times them). False, and
// nothing changes, when the CPU lacks its instructions. Safe to call while other threads hash.
bool Blake3SetBackend(Blake3Backend backend);

class Blake3Hasher {
 public:
  Blake3Hasher();                               // plain hash
  explicit Blake3Hasher(const Blake3Key& key);  // keyed hash
  void Update(std::string_view data);
  // The 32-byte digest; the hasher may keep being updated afterwards.
  Blake3Digest Finalize() const;
  // Extended output (the official test vectors check 131 bytes); `out_len` bytes into `out`.
  void FinalizeXof(uint8_t* out, size_t out_len) const;

 private:
  // One 1 KiB BLAKE3 chunk being filled.
  struct ChunkState {
    std::array<uint32_t, 8> cv{};
    uint64_t counter = 0;
    std::array<uint8_t, 64> block{};
    uint8_t block_len = 0;
    uint8_t blocks_compressed = 0;
  };
  void MergeCvStack(uint64_t chunks_before);
  void PushCv(const std::array<uint32_t, 8>& cv, uint64_t chunk_counter);
  void StartChunk(uint64_t counter);

  std::array<uint32_t, 8> key_{};
  uint32_t flags_ = 0;
  ChunkState chunk_;
  // Chaining values of finished subtrees, merged lazily (the last one may still be the root's
  // child). 54 levels cover 2^64 bytes; one more holds the CV pushed before its merge.
  std::array<std::array<uint32_t, 8>, 55> cv_stack_{};
  uint8_t cv_stack_len_ = 0;
};

}  // namespace spacehub::xet
