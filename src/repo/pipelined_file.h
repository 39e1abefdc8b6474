// PipelinedFile: writes a stream of bytes to an open file and hashes them (SHA-256) off the
// caller's thread, for LFS uploads. The caller's bytes are copied into a few large aligned blocks;
// a hashing thread and a writing thread each take every block, so an upload costs
// max(receive, hash, disk) instead of their sum. The writer uses O_DIRECT where the file system
// allows it: the bytes go from the block to the disk without a copy into the page cache (the
// most expensive step here: fresh page-cache pages cost a fault each on a VM), and nothing is left
// to flush when the object is made durable. Without O_DIRECT (tmpfs) it writes through the page
// cache and starts writeback as it goes, so the final fsync waits for the tail only.
//
// Ownership: the caller owns the fd and keeps it open until Finish() returns; it fsyncs afterwards.
// Threads: one owner calls Append() and Finish(); the two worker threads are private.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/crypto.h"
#include "core/result.h"

namespace spacehub::repo {

class PipelinedFile final {
 public:
  static constexpr size_t kBlockBytes = 2u << 20;
  static constexpr size_t kBlocks = 4;  // 8 MiB in flight per upload, at most

  struct Options {
    // Try O_DIRECT (falls back to buffered writes where refused). Part files, read back right
    // away by the multipart completion, pass false so they stay in the page cache.
    bool direct = true;
    // SHA-256 every byte. Xorbs pass false: their hash was checked before they are written, and
    // a second hash over 64 MiB per xorb was a third of the hub's CPU in a Xet upload.
    bool sha256 = true;
  };
  PipelinedFile(int fd, std::string what, Options options);
  ~PipelinedFile();
  PipelinedFile(const PipelinedFile&) = delete;
  PipelinedFile& operator=(const PipelinedFile&) = delete;

  // Copies `data` into the current block; blocks only while every block is in flight. Reports a
  // write error of an earlier block.
  Status Append(std::string_view data);
  // Writes the last partial block, waits for both threads; the SHA-256 hex of every byte appended
  // ("" without Options::sha256). Must be called once; nothing may be appended afterwards.
  Result<std::string> Finish();

 private:
  struct Block {
    char* data = nullptr;
    size_t size = 0;
  };
  struct FreeAligned {
    void operator()(char* p) const;
  };

  Block& BlockFor(uint64_t seq) { return blocks_[seq % kBlocks]; }
  // Hands block `filled_` to both threads (under mu_).
  void Publish(std::unique_lock<std::mutex>& lock);
  void HashLoop();
  void WriteLoop();
  Status WriteBlock(const Block& b, uint64_t offset);
  void Stop();
  // Blocks both threads are done with (under mu_).
  uint64_t Released() const { return hashing_ ? std::min(hashed_, written_) : written_; }

  const int fd_;
  const std::string what_;
  const bool hashing_;
  bool direct_ = false;   // the writer thread's
  uint64_t flushed_ = 0;  // the writer thread's: bytes handed to writeback (buffered mode)
  std::unique_ptr<char, FreeAligned> memory_;
  Block blocks_[kBlocks];
  size_t fill_ = 0;  // the owner's: bytes in block `filled_`

  std::mutex mu_;
  std::condition_variable changed_;
  uint64_t filled_ = 0;   // guarded by mu_: blocks handed to the threads
  uint64_t hashed_ = 0;   // guarded by mu_
  uint64_t written_ = 0;  // guarded by mu_
  bool closing_ = false;  // guarded by mu_
  Status write_error_;    // guarded by mu_
  Sha256Stream sha_;      // the hashing thread's until Finish() joins it
  std::thread hasher_;    // only when hashing_
  std::thread writer_;
  bool finished_ = false;
};

}  // namespace spacehub::repo
