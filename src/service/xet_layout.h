// XetLayout: where each chunk of a Xet-stored file lives, in file order, with its xorb files open.
// Built once from the file's terms and its xorbs' records; shared by XetFileReader (ranged reads)
// and ScanXetFile (whole-file passes).
// Owns the xorb descriptors (closed with it). Immutable after Open; reading it from several
// threads is safe.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "db/xet_store.h"
#include "service/hub.h"

namespace spacehub::service {

class XetLayout final {
 public:
  struct Piece {
    int fd = -1;          // of its xorb (shared by the pieces of one xorb)
    uint64_t offset = 0;  // of the chunk's header in the xorb
    uint32_t stored_bytes = 0;
    uint32_t unpacked_bytes = 0;
    uint64_t start = 0;  // of its bytes in the file
  };

  // `direct`: open the xorbs with O_DIRECT where the file system allows it (reads must then be
  // aligned); else for sequential page-cache reads. kNotFound when a xorb of the file is gone;
  // kInternal when its records are corrupt.
  static Result<std::unique_ptr<XetLayout>> Open(Hub& hub, const db::XetFileRow& file, bool direct);
  ~XetLayout();
  XetLayout(const XetLayout&) = delete;
  XetLayout& operator=(const XetLayout&) = delete;

  const std::vector<Piece>& pieces() const { return pieces_; }
  uint64_t size() const { return size_; }
  // Whether the descriptors were opened with O_DIRECT.
  bool direct() const { return direct_; }

 private:
  XetLayout() = default;
  // Reads through the page cache after all, for every descriptor open so far and to come.
  void DropDirect();

  std::vector<int> fds_;
  std::vector<Piece> pieces_;
  uint64_t size_ = 0;
  bool direct_ = false;
};

}  // namespace spacehub::service
