#include "client/run_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>

#include "spacehub/errors.h"

namespace spacehub::client::detail {
namespace {

constexpr uint64_t kPage = 4096;  // O_DIRECT alignment of buffers, offsets and lengths

uint64_t AlignDown(uint64_t v) { return v & ~(kPage - 1); }
uint64_t AlignUp(uint64_t v) { return AlignDown(v + kPage - 1); }

}  // namespace

OutputFile::OutputFile(const std::string& path) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    throw LocalError(ErrorKind::kLocalIo, "cannot write " + path + ": " + std::strerror(errno));
  }
  direct_fd_ = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_DIRECT);
  direct_ok_ = direct_fd_ >= 0;
}

OutputFile::~OutputFile() { Close(); }

bool OutputFile::Close() {
  if (direct_fd_ >= 0) ::close(direct_fd_);
  direct_fd_ = -1;
  if (fd_ < 0) return true;
  int rc = ::close(fd_);
  fd_ = -1;
  return rc == 0;
}

void RunWriter::FreeAligned::operator()(char* p) const { std::free(p); }

RunWriter::RunWriter(OutputFile& out, uint64_t offset)
    : out_(out),
      block_(static_cast<char*>(std::aligned_alloc(kPage, kBlockBytes + kPage))),
      start_(offset),
      lead_(offset % kPage) {
  if (!block_) throw std::bad_alloc();
}

std::string RunWriter::Append(std::string_view data) {
  while (!data.empty() && error_.empty()) {
    size_t room = kBlockBytes + kPage - lead_ - length_;
    size_t n = std::min(room, data.size());
    std::memcpy(block_.get() + lead_ + length_, data.data(), n);
    length_ += n;
    data.remove_prefix(n);
    if (lead_ + length_ == kBlockBytes + kPage) WriteOut(/*last=*/false);
  }
  return error_;
}

std::string RunWriter::Finish() {
  if (error_.empty() && length_ > 0) WriteOut(/*last=*/true);
  return error_;
}

void RunWriter::WriteOut(bool last) {
  const uint64_t end = start_ + length_;
  // The byte for file offset F: block_ holds start_ at lead_ == start_ % kPage, so pages line up.
  const uint64_t page0 = AlignDown(start_);
  auto at = [&](uint64_t file_offset) { return block_.get() + (file_offset - page0); };
  uint64_t head_end = std::min(end, AlignUp(start_));
  uint64_t mid_end = std::max(head_end, AlignDown(end));
  int direct = out_.direct_fd();
  if (direct < 0) {  // everything through the page cache
    head_end = last ? end : mid_end;
    mid_end = head_end;
  }
  // The partial first page, through the page cache.
  if (head_end > start_ && !Pwrite(out_.fd(), at(start_), head_end - start_, start_)) return;
  // Whole pages, around it.
  if (mid_end > head_end && !Pwrite(direct, at(head_end), mid_end - head_end, head_end)) {
    if (errno != EINVAL) return;
    error_.clear();  // refused after all: the page cache from here on
    out_.DropDirect();
    if (!Pwrite(out_.fd(), at(head_end), mid_end - head_end, head_end)) return;
  }
  if (last) {
    if (end > mid_end) Pwrite(out_.fd(), at(mid_end), end - mid_end, mid_end);
    length_ = 0;
    start_ = end;
    return;
  }
  // Keep the partial last page (it starts on a page boundary) for the next block.
  const size_t keep = static_cast<size_t>(end - mid_end);
  std::memmove(block_.get(), at(mid_end), keep);
  start_ = mid_end;
  lead_ = 0;
  length_ = keep;
}

bool RunWriter::Pwrite(int fd, const char* data, size_t size, uint64_t offset) {
  while (size > 0) {
    ssize_t n = ::pwrite(fd, data, size, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = n < 0 ? errno : EIO;
      error_ = std::string("cannot write the file: ") + std::strerror(err);
      errno = err;
      return false;
    }
    data += n;
    size -= static_cast<size_t>(n);
    offset += static_cast<uint64_t>(n);
  }
  return true;
}

}  // namespace spacehub::client::detail
