// XorbStreamParser: checks a serialized xorb as its bytes arrive, in pieces of any size, so an
// upload is verified while it is received instead of after it was buffered whole. Every chunk is
// checked and hashed as soon as its last byte is in: a raw chunk in the caller's piece when it
// lies whole there (else hashed piece by piece), a compressed one gathered (at most its header's
// u24 size) and decoded. The footer xet-core may append is gathered (bounded by the chunk count)
// and checked at Finish. ParseXorb is this parser fed the whole xorb at once: the rules, limits
// and errors are the same whatever the split (xorb_format.h, xorb_chunk.h).
// One owner calls Feed and Finish; no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "xet/chunk_codec.h"
#include "xet/xet_hash.h"
#include "xet/xorb_chunk.h"
#include "xet/xorb_format.h"

namespace spacehub::xet {

class XorbStreamParser final {
 public:
  XorbStreamParser() = default;
  XorbStreamParser(const XorbStreamParser&) = delete;
  XorbStreamParser& operator=(const XorbStreamParser&) = delete;

  // The next bytes of the xorb. Returns how many bytes at the start of `piece` are chunk bytes
  // (headers and data: what a store keeps); the rest of it belongs to the footer. kInvalidArgument
  // as soon as the bytes so far cannot begin a valid xorb (and from then on, every call).
  Result<size_t> Feed(std::string_view piece);
  // The xorb ended: what ParseXorb returns for the bytes fed.
  Result<XorbInfo> Finish();

  uint64_t bytes_fed() const { return fed_; }

 private:
  enum class Phase : uint8_t {
    kHeader,  // at a chunk boundary, gathering a header (or about to meet the footer)
    kData,    // inside a chunk's stored data
    kFooter,  // after the chunks: everything is footer
    kFailed,
  };
  Status Fail(Status why);
  // The header in head_ is complete.
  Status StartChunk();
  // `data` continues the current chunk's stored data.
  void TakeData(std::string_view data);
  // The current chunk's data is complete: all of it in `data`, or `gathered` in carry_ (compressed)
  // or hasher_ (raw).
  Status EndChunk(std::string_view data, bool gathered);
  // The bytes at a chunk boundary begin with the footer's first byte but turned out not to be a
  // footer: the error ParseXorb gives for a chunk header there.
  Status NotAFooter() const;

  Phase phase_ = Phase::kHeader;
  Status failed_;
  uint64_t fed_ = 0;
  uint64_t pos_ = 0;  // where the current chunk (or the footer) starts
  std::string head_;  // a header's bytes so far
  ChunkHeader chunk_;
  uint32_t got_ = 0;    // stored data bytes of the current chunk so far
  std::string carry_;   // a compressed chunk's data so far, when split between pieces
  ChunkHasher hasher_;  // a raw chunk's hash so far, when split between pieces
  std::string footer_;
  XorbInfo info_;
  Lz4FrameDecoder lz4_;
  std::string raw_;      // a compressed chunk, decoded
  std::string grouped_;  // BG4 scratch
};

}  // namespace spacehub::xet
