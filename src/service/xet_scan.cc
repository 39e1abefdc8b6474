#include "service/xet_scan.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/mutex.h"
#include "service/xet_layout.h"
#include "xet/xorb_format.h"

namespace spacehub::service {
namespace {

constexpr uint64_t kAlign = 4096;  // O_DIRECT: buffer, offset and length
constexpr uint64_t kBlockTarget = 8ull << 20;
constexpr size_t kBuffers = 3;  // one being read, one being hashed, one spare

uint64_t AlignDown(uint64_t v) { return v & ~(kAlign - 1); }
uint64_t AlignUp(uint64_t v) { return AlignDown(v + kAlign - 1); }

// Consecutive pieces [first, last) of one xorb, read with one pread of [offset, offset + length).
struct Block {
  size_t first = 0, last = 0;
  int fd = -1;
  uint64_t offset = 0, length = 0;
};

std::vector<Block> PlanBlocks(const std::vector<XetLayout::Piece>& pieces) {
  std::vector<Block> blocks;
  for (size_t i = 0; i < pieces.size(); ++i) {
    const XetLayout::Piece& p = pieces[i];
    const uint64_t end = p.offset + p.stored_bytes;
    if (!blocks.empty()) {
      Block& b = blocks.back();
      const XetLayout::Piece& prev = pieces[i - 1];
      bool next_to = p.fd == b.fd && p.offset == prev.offset + prev.stored_bytes;
      if (next_to && AlignUp(end) - b.offset <= kBlockTarget) {
        b.last = i + 1;
        b.length = AlignUp(end) - b.offset;
        continue;
      }
    }
    uint64_t from = AlignDown(p.offset);
    blocks.push_back({i, i + 1, p.fd, from, AlignUp(end) - from});
  }
  return blocks;
}

struct FreeAligned {
  void operator()(char* p) const { std::free(p); }
};

// The reader thread fills buffer `n % kBuffers` with block n; the caller's thread takes them in
// order and hands them back.
class Prefetcher final {
 public:
  Prefetcher(const std::vector<Block>& blocks, const std::vector<XetLayout::Piece>& pieces)
      : blocks_(blocks), pieces_(pieces) {
    // Blocks are up to kBlockTarget, or one chunk that is larger (a compressed chunk's stored
    // size is only bounded by its 24-bit field).
    for (const Block& b : blocks_) buffer_bytes_ = std::max(buffer_bytes_, b.length);
    memory_.reset(static_cast<char*>(std::aligned_alloc(kAlign, buffer_bytes_ * kBuffers)));
    if (!memory_) throw std::bad_alloc();
    thread_ = std::thread([this] { Run(); });
  }
  ~Prefetcher() {
    {
      MutexLock lock(mu_);
      stop_ = true;
    }
    changed_.NotifyAll();
    thread_.join();
  }
  Prefetcher(const Prefetcher&) = delete;
  Prefetcher& operator=(const Prefetcher&) = delete;

  // Waits for block n (taken in order); its bytes, or the read error.
  Result<const char*> Take(size_t n) {
    MutexLock lock(mu_);
    changed_.Wait(mu_, [&]() REQUIRES(mu_) { return read_ > n || !error_.ok(); });
    if (read_ <= n) return error_;
    return Buffer(n);
  }
  // Block n's buffer may be reused.
  void Release(size_t n) {
    {
      MutexLock lock(mu_);
      released_ = n + 1;
    }
    changed_.NotifyAll();
  }

 private:
  char* Buffer(size_t n) const { return memory_.get() + (n % kBuffers) * buffer_bytes_; }

  void Run() {
    for (size_t n = 0; n < blocks_.size(); ++n) {
      {
        MutexLock lock(mu_);
        changed_.Wait(mu_, [&]() REQUIRES(mu_) { return stop_ || n - released_ < kBuffers; });
        if (stop_) return;
      }
      Status st = ReadBlock(blocks_[n], Buffer(n));
      const bool failed = !st.ok();
      {
        MutexLock lock(mu_);
        if (failed) {
          error_ = std::move(st);
        } else {
          read_ = n + 1;
        }
      }
      changed_.NotifyAll();
      if (failed) return;
    }
  }

  // The block's bytes. O_DIRECT may stop short at the end of the file (its length is not
  // aligned), which is fine once the last chunk is in.
  Status ReadBlock(const Block& b, char* into) const {
    const XetLayout::Piece& last = pieces_[b.last - 1];
    const uint64_t need = last.offset + last.stored_bytes - b.offset;
    uint64_t got = 0;
    while (got < need) {
      ssize_t n = ::pread(b.fd, into + got, b.length - got, static_cast<off_t>(b.offset + got));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return Status::Internal("short read from a xorb");
      got += static_cast<uint64_t>(n);
    }
    return Status::Ok();
  }

  const std::vector<Block>& blocks_;
  const std::vector<XetLayout::Piece>& pieces_;
  uint64_t buffer_bytes_ = kBlockTarget;
  std::unique_ptr<char, FreeAligned> memory_;
  Mutex mu_;
  CondVar changed_;
  size_t read_ GUARDED_BY(mu_) = 0;      // blocks ready
  size_t released_ GUARDED_BY(mu_) = 0;  // blocks the caller is done with
  Status error_ GUARDED_BY(mu_);
  bool stop_ GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace

Status ScanXetFile(Hub& hub, const db::XetFileRow& file,
                   const std::function<Status(std::string_view)>& sink) {
  SH_ASSIGN_OR_RETURN(auto layout, XetLayout::Open(hub, file, /*direct=*/true));
  const auto& pieces = layout->pieces();
  const std::vector<Block> blocks = PlanBlocks(pieces);
  std::string decoded;
  Prefetcher prefetch(blocks, pieces);
  for (size_t n = 0; n < blocks.size(); ++n) {
    SH_ASSIGN_OR_RETURN(const char* buf, prefetch.Take(n));
    const Block& b = blocks[n];
    for (size_t i = b.first; i < b.last; ++i) {
      const XetLayout::Piece& p = pieces[i];
      std::string_view stored(buf + (p.offset - b.offset), p.stored_bytes);
      std::string_view bytes;
      if (p.stored_bytes == p.unpacked_bytes + xet::kChunkHeaderBytes &&
          stored[4] == static_cast<char>(xet::Compression::kNone)) {
        bytes = stored.substr(xet::kChunkHeaderBytes);
      } else {
        decoded.clear();
        SH_TRY(xet::DecodeChunk(stored, decoded));
        bytes = decoded;
      }
      if (bytes.size() != p.unpacked_bytes) return Status::Internal("a stored chunk is corrupt");
      SH_TRY(sink(bytes));
    }
    prefetch.Release(n);
  }
  return Status::Ok();
}

}  // namespace spacehub::service
