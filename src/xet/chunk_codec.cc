#include "xet/chunk_codec.h"

#include <lz4frame.h>

#include <array>
#include <cstdint>
#include <new>

namespace spacehub::xet {
namespace {

// Where each of the 4 groups starts in the grouped layout of `size` bytes.
std::array<size_t, 4> GroupStarts(size_t size) {
  std::array<size_t, 4> starts{};
  for (size_t g = 1; g < 4; ++g) {
    starts[g] = starts[g - 1] + size / 4 + ((g - 1) < size % 4 ? 1 : 0);
  }
  return starts;
}

}  // namespace

std::string Bg4Split(std::string_view data) {
  const std::array<size_t, 4> starts = GroupStarts(data.size());
  std::string out(data.size(), '\0');
  for (size_t i = 0; i < data.size(); ++i) out[starts[i % 4] + i / 4] = data[i];
  return out;
}

void Bg4Regroup(std::string_view grouped, std::string& out) {
  const std::array<size_t, 4> starts = GroupStarts(grouped.size());
  const size_t base = out.size();
  out.resize(base + grouped.size());
  for (size_t i = 0; i < grouped.size(); ++i) out[base + i] = grouped[starts[i % 4] + i / 4];
}

std::string Lz4FrameCompress(std::string_view data) {
  LZ4F_preferences_t prefs{};
  // 256 KiB blocks hold a whole chunk: one independent block, no cross-block references.
  prefs.frameInfo.blockSizeID = LZ4F_max256KB;
  prefs.frameInfo.blockMode = LZ4F_blockIndependent;
  std::string out(LZ4F_compressFrameBound(data.size(), &prefs), '\0');
  const size_t n = LZ4F_compressFrame(out.data(), out.size(), data.data(), data.size(), &prefs);
  // With a buffer of compressFrameBound bytes the only failure left is running out of memory.
  if (LZ4F_isError(n) != 0) throw std::bad_alloc();
  out.resize(n);
  return out;
}

Lz4FrameDecoder::Lz4FrameDecoder() {
  if (LZ4F_isError(LZ4F_createDecompressionContext(&ctx_, LZ4F_VERSION)) != 0) {
    throw std::bad_alloc();
  }
}

Lz4FrameDecoder::~Lz4FrameDecoder() { LZ4F_freeDecompressionContext(ctx_); }

Status Lz4FrameDecoder::DecodeExact(std::string_view frame, size_t size, std::string& out) {
  // A previous frame may have failed half way; start clean.
  LZ4F_resetDecompressionContext(ctx_);
  const size_t base = out.size();
  out.resize(base + size);
  size_t in_pos = 0;
  size_t out_pos = 0;
  auto fail = [&](const std::string& why) {
    out.resize(base);
    return Status::InvalidArgument("LZ4 chunk: " + why);
  };
  while (true) {
    size_t in_len = frame.size() - in_pos;
    size_t out_len = size - out_pos;
    // The output capacity is exactly `size`: a frame that holds more stops making progress.
    const size_t hint = LZ4F_decompress(ctx_, out.data() + base + out_pos, &out_len,
                                        frame.data() + in_pos, &in_len, nullptr);
    if (LZ4F_isError(hint) != 0) return fail(LZ4F_getErrorName(hint));
    in_pos += in_len;
    out_pos += out_len;
    if (hint == 0) break;  // the frame is complete
    if (in_len == 0 && out_len == 0) {
      return fail(in_pos == frame.size() ? "frame is truncated"
                                         : "frame holds more than the stated size");
    }
  }
  if (out_pos != size) return fail("frame holds less than the stated size");
  if (in_pos != frame.size()) return fail("bytes after the end of the frame");
  return Status::Ok();
}

}  // namespace spacehub::xet
