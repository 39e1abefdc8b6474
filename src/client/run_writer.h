// RunWriter: writes one contiguous run of bytes into a file at a given offset, in large blocks:
// the whole 4 KiB pages in the middle with O_DIRECT (no copy into the page cache, which cost the
// Xet download as much kernel time as the network did), the partial pages at either end through
// the page cache (another run may share them). Several RunWriters may write disjoint runs of one
// file from different threads. Where the file system refuses O_DIRECT, everything goes through
// the page cache.
// Owns its block buffer; borrows the OutputFile, which must outlive it. One thread per RunWriter.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace spacehub::client::detail {

// A file open for writing twice: through the page cache, and with O_DIRECT where allowed.
class OutputFile final {
 public:
  // Creates (or truncates) `path`. Throws LocalError when it cannot.
  explicit OutputFile(const std::string& path);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  int fd() const { return fd_; }
  // -1 once O_DIRECT was refused (at open, or by a write).
  int direct_fd() const { return direct_ok_.load() ? direct_fd_ : -1; }
  void DropDirect() { direct_ok_ = false; }
  // Closes both; false (errno set) when the page-cache descriptor's close failed.
  bool Close();

 private:
  int fd_ = -1;
  int direct_fd_ = -1;
  std::atomic<bool> direct_ok_{false};
};

class RunWriter final {
 public:
  static constexpr size_t kBlockBytes = 4 << 20;

  RunWriter(OutputFile& out, uint64_t offset);
  RunWriter(const RunWriter&) = delete;
  RunWriter& operator=(const RunWriter&) = delete;

  // Appends the next bytes of the run; "" or the first error (later calls then do nothing).
  std::string Append(std::string_view data);
  // Writes what is left; "" or the error.
  std::string Finish();

 private:
  struct FreeAligned {
    void operator()(char* p) const;
  };
  // Writes the buffered bytes; unless `last`, keeps a partial last page for the next block.
  void WriteOut(bool last);
  bool Pwrite(int fd, const char* data, size_t size, uint64_t offset);

  OutputFile& out_;
  std::unique_ptr<char, FreeAligned> block_;
  uint64_t start_;     // file offset of the first buffered byte
  size_t lead_ = 0;    // start_ % page: where that byte sits in block_ (so pages line up)
  size_t length_ = 0;  // bytes buffered
  std::string error_;
};

}  // namespace spacehub::client::detail
