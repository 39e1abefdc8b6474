// XetFileReader: the bytes of a Xet-stored file, rebuilt from its xorbs chunk by chunk (for
// clients that do not speak Xet: resolve over plain HTTP and git-lfs). Narrow() picks a window
// before reading, so a ranged request decodes only the chunks it needs. Whole-file passes use
// ScanXetFile (xet_scan.h), which reads ahead.
// One owner; not thread-safe. Open() reads the xorb records once; Read() does blocking disk reads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "db/xet_store.h"
#include "service/hub.h"
#include "service/xet_layout.h"

namespace spacehub::service {

class XetFileReader final {
 public:
  // kNotFound when a xorb the file uses is gone; kInternal when its records are corrupt.
  static Result<std::unique_ptr<XetFileReader>> Open(Hub& hub, const db::XetFileRow& file);
  ~XetFileReader();
  XetFileReader(const XetFileReader&) = delete;
  XetFileReader& operator=(const XetFileReader&) = delete;

  uint64_t Size() const { return layout_->size(); }
  // Bytes left in the window.
  uint64_t Length() const { return end_ - pos_; }
  // Keeps `length` bytes from `offset` of the current window.
  void Narrow(uint64_t offset, uint64_t length);
  // Up to `capacity` bytes; 0 only at the end of the window.
  Result<size_t> Read(char* buf, size_t capacity);

 private:
  XetFileReader() = default;
  Status LoadPiece(size_t index);

  std::unique_ptr<XetLayout> layout_;
  uint64_t pos_ = 0;  // absolute file offsets
  uint64_t end_ = 0;
  size_t loaded_ = SIZE_MAX;  // the piece whose bytes are in decoded_
  std::string stored_;
  std::string decoded_;
};

}  // namespace spacehub::service
