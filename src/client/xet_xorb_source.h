// RawXorbSource: the body of an uncompressed xorb, produced piece by piece as an HTTP upload asks
// for it: each chunk's header, then its bytes read from the file where they lie (or from the
// in-memory content). Nothing of the xorb is held in memory: building it whole cost two fresh
// 64 MiB buffers per xorb, and their page faults were a third of a Xet upload's kernel time.
// Owns the file descriptor it opens. One thread at a time (the request's).
#pragma once

#include <cstdint>
#include <vector>

#include "client/xet_plan.h"
#include "client/xet_upload.h"

namespace spacehub::client::detail {

class RawXorbSource final {
 public:
  // Throws LocalError when the file cannot be opened.
  RawXorbSource(const XetUploadFile& f, const NewXorb& x);
  ~RawXorbSource();
  RawXorbSource(const RawXorbSource&) = delete;
  RawXorbSource& operator=(const RawXorbSource&) = delete;

  // The body's length: a header and the bytes of every chunk.
  uint64_t size() const { return size_; }
  // Up to `capacity` bytes of the body from `at` (< size()); 0 when the file cannot be read.
  size_t Fill(char* buf, size_t capacity, uint64_t at) const;

 private:
  struct Piece {
    uint64_t body_offset;  // of its header
    uint64_t file_offset;
    uint32_t length;
  };
  bool ReadData(char* into, uint64_t offset, size_t n) const;

  const XetUploadFile& f_;
  std::vector<Piece> pieces_;
  uint64_t size_ = 0;
  int fd_ = -1;
};

}  // namespace spacehub::client::detail
