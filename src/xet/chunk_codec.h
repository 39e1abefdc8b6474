// The codecs a xorb chunk's data may be stored in: LZ4 frames (liblz4's frame API, the format both
// xet-core and the JS client write) and BG4 byte grouping, which the protocol applies before LZ4
// for data made of 4-byte values. Decoding is exact: a frame must end where its bytes end and yield
// exactly the size the chunk header states, so a hostile frame can neither smuggle trailing bytes
// nor make the hub allocate more than the header's (bounded) size.
// Lz4FrameDecoder has one owner (one per parse, reused across chunks so liblz4 allocates its
// buffers once); the free functions are thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/status.h"

struct LZ4F_dctx_s;

namespace spacehub::xet {

// BG4 grouping: byte i of the input goes to group i % 4; groups are concatenated in order, the
// first (size % 4) groups holding one byte more.
std::string Bg4Split(std::string_view data);
// The inverse of Bg4Split, appended to `out`.
void Bg4Regroup(std::string_view grouped, std::string& out);

// One LZ4 frame, compressed in a single block (chunks are at most 128 KiB) so that every LZ4
// frame reader, the JS client's lz4js included, decodes it.
std::string Lz4FrameCompress(std::string_view data);

class Lz4FrameDecoder final {
 public:
  Lz4FrameDecoder();
  ~Lz4FrameDecoder();
  Lz4FrameDecoder(const Lz4FrameDecoder&) = delete;
  Lz4FrameDecoder& operator=(const Lz4FrameDecoder&) = delete;

  // Decodes `frame`, which must be exactly one complete LZ4 frame yielding exactly `size` bytes,
  // and appends them to `out` (left as it was on error: kInvalidArgument with the reason).
  Status DecodeExact(std::string_view frame, size_t size, std::string& out);

 private:
  LZ4F_dctx_s* ctx_ = nullptr;
};

}  // namespace spacehub::xet
