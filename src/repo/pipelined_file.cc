#include "repo/pipelined_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "repo/fs_util.h"

namespace spacehub::repo {
namespace {

// O_DIRECT wants buffers, offsets and lengths aligned to the device's logical block; 4 KiB covers
// every block size in use.
constexpr size_t kAlign = 4096;
constexpr uint64_t kWritebackStride = 8ull << 20;

// pwrite(2) of all of `data` at `offset`, retrying short writes and EINTR.
int PwriteAll(int fd, const char* data, size_t size, uint64_t offset) {
  while (size > 0) {
    ssize_t n = ::pwrite(fd, data, size, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    if (n == 0) return EIO;
    data += n;
    size -= static_cast<size_t>(n);
    offset += static_cast<uint64_t>(n);
  }
  return 0;
}

bool SetDirect(int fd, bool on) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0) return false;
  flags = on ? (flags | O_DIRECT) : (flags & ~O_DIRECT);
  return ::fcntl(fd, F_SETFL, flags) == 0;
}

}  // namespace

void PipelinedFile::FreeAligned::operator()(char* p) const { std::free(p); }

PipelinedFile::PipelinedFile(int fd, std::string what, Options options)
    : fd_(fd),
      what_(std::move(what)),
      hashing_(options.sha256),
      direct_(options.direct && SetDirect(fd, true)),
      memory_(static_cast<char*>(std::aligned_alloc(kAlign, kBlockBytes * kBlocks))) {
  if (!memory_) throw std::bad_alloc();
  for (size_t i = 0; i < kBlocks; ++i) blocks_[i].data = memory_.get() + i * kBlockBytes;
  if (hashing_) hasher_ = std::thread([this] { HashLoop(); });
  writer_ = std::thread([this] { WriteLoop(); });
}

PipelinedFile::~PipelinedFile() { Stop(); }

void PipelinedFile::Stop() {
  {
    std::lock_guard lock(mu_);
    closing_ = true;
  }
  changed_.notify_all();
  if (hasher_.joinable()) hasher_.join();
  if (writer_.joinable()) writer_.join();
}

Status PipelinedFile::Append(std::string_view data) {
  while (!data.empty()) {
    if (fill_ == 0) {
      // Block `filled_` is free once both threads are past the block kBlocks before it.
      std::unique_lock lock(mu_);
      changed_.wait(lock, [&] { return !write_error_.ok() || filled_ - Released() < kBlocks; });
      if (!write_error_.ok()) return write_error_;
    }
    Block& b = BlockFor(filled_);  // filled_ changes only on this thread
    const size_t n = std::min(data.size(), kBlockBytes - fill_);
    std::memcpy(b.data + fill_, data.data(), n);
    fill_ += n;
    data.remove_prefix(n);
    if (fill_ == kBlockBytes) {
      std::unique_lock lock(mu_);
      Publish(lock);
    }
  }
  return Status::Ok();
}

void PipelinedFile::Publish(std::unique_lock<std::mutex>& lock) {
  BlockFor(filled_).size = fill_;
  fill_ = 0;
  ++filled_;
  lock.unlock();
  changed_.notify_all();
}

Result<std::string> PipelinedFile::Finish() {
  if (finished_) return Status::Internal("PipelinedFile::Finish called twice");
  finished_ = true;
  if (fill_ > 0) {  // Append() made sure the block was free before filling it
    std::unique_lock lock(mu_);
    Publish(lock);
  }
  Stop();
  std::lock_guard lock(mu_);
  if (!write_error_.ok()) return write_error_;
  return hashing_ ? sha_.FinishHex() : std::string();
}

void PipelinedFile::HashLoop() {
  std::unique_lock lock(mu_);
  for (;;) {
    changed_.wait(lock, [&] { return hashed_ < filled_ || closing_; });
    if (hashed_ == filled_) return;  // closing and drained
    const Block& b = BlockFor(hashed_);
    lock.unlock();
    sha_.Update(b.data, b.size);
    lock.lock();
    ++hashed_;
    changed_.notify_all();
  }
}

void PipelinedFile::WriteLoop() {
  std::unique_lock lock(mu_);
  for (;;) {
    changed_.wait(lock, [&] { return written_ < filled_ || closing_; });
    if (written_ == filled_) return;
    const uint64_t seq = written_;
    const Block& b = BlockFor(seq);
    const bool failed = !write_error_.ok();
    lock.unlock();
    // After an error the blocks are only released, so that Append() and Finish() never wait.
    Status st = failed ? Status::Ok() : WriteBlock(b, seq * kBlockBytes);
    lock.lock();
    if (!st.ok() && write_error_.ok()) write_error_ = std::move(st);
    ++written_;
    changed_.notify_all();
  }
}

Status PipelinedFile::WriteBlock(const Block& b, uint64_t offset) {
  size_t head = 0;  // bytes written with O_DIRECT
  if (direct_) {
    head = b.size & ~(kAlign - 1);
    int err = head > 0 ? PwriteAll(fd_, b.data, head, offset) : 0;
    if (err == EINVAL) {
      head = 0;  // refused after all (an unusual device): the page cache from here on
      direct_ = false;
      SetDirect(fd_, false);
    } else if (err != 0) {
      return fs::Errno(err, "write " + what_);
    }
    // Only the last block has a tail; it is written through the page cache.
    if (head < b.size && direct_) {
      direct_ = false;
      if (!SetDirect(fd_, false)) return fs::Errno(errno, "fcntl " + what_);
    }
  }
  if (head < b.size) {
    int err = PwriteAll(fd_, b.data + head, b.size - head, offset + head);
    if (err != 0) return fs::Errno(err, "write " + what_);
    const uint64_t end = offset + b.size;
    if (end - flushed_ >= kWritebackStride) {
      // Writeback of each finished stretch starts now, so the caller's fsync waits only for the
      // tail (errors surface at fsync).
      ::sync_file_range(fd_, static_cast<off_t>(flushed_), static_cast<off_t>(end - flushed_),
                        SYNC_FILE_RANGE_WRITE);
      flushed_ = end;
    }
  }
  return Status::Ok();
}

}  // namespace spacehub::repo
