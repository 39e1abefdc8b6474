// The Xet content-defined chunker: a gear rolling hash (h = (h << 1) + TABLE[byte]) that cuts where
// the top 16 bits are zero, between 8 KiB and 128 KiB (64 KiB on average), so the same bytes cut
// the same way wherever they appear. Streaming: bytes may arrive in any pieces and the boundaries
// do not change. One owner per Chunker; not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace spacehub::xet {

inline constexpr size_t kMinChunk = 8 * 1024;
inline constexpr size_t kMaxChunk = 128 * 1024;

class Chunker {
 public:
  // Feeds the next bytes; appends the lengths of the chunks that end inside them to `cuts`.
  void Update(std::string_view data, std::vector<size_t>& cuts);
  // The length of the last, partial chunk (0 when there is none); resets the chunker.
  size_t Finish();

 private:
  uint64_t hash_ = 0;
  size_t pending_ = 0;  // bytes of the current chunk seen so far
};

// All chunk lengths of `data`, in order.
std::vector<size_t> ChunkLengths(std::string_view data);

}  // namespace spacehub::xet
