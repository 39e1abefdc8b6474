// GitRpc: one stateless-RPC exchange with `git upload-pack` / `git receive-pack`, streamed both
// ways without holding a pack in memory.
//
// Deadlock: git may write output before it has read all of its input (progress, early errors), and
// both pipes are bounded. So Write() never blocks on stdin alone: it polls stdin and stdout
// together and moves whatever output git produces into a spool (memory up to a limit, then an
// unlinked temp file). Once the input is complete, Read() hands out the spool and then the pipe. If
// git stops reading (it exited, or refused the request), the rest of the input is discarded and the
// outcome is whatever git wrote.
//
// Thread-safety: one thread at a time (the connection's). The destructor reaps the process on every
// path (see GitProcess).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "repo/git_command.h"

namespace spacehub::repo {

class GitRpc final {
 public:
  static Result<std::unique_ptr<GitRpc>> Start(const GitCommand& command);
  ~GitRpc();
  GitRpc(const GitRpc&) = delete;
  GitRpc& operator=(const GitRpc&) = delete;

  // Request bytes for git's stdin.
  [[nodiscard]] Status Write(std::string_view data);
  // The request is complete: closes stdin.
  void CloseInput();
  // Blocks until git has produced output or closed stdout. Returns whether there is output.
  [[nodiscard]] Result<bool> WaitForOutput();
  // Response bytes; 0 at the end of git's output.
  [[nodiscard]] Result<size_t> Read(char* buf, size_t capacity);
  // After the output ended: git's exit code.
  [[nodiscard]] int Wait() { return process_->Wait(); }
  std::string Stderr() const { return process_->Stderr(); }

 private:
  explicit GitRpc(std::unique_ptr<GitProcess> p) : process_(std::move(p)) {}
  // Moves available stdout bytes into the spool; false at EOF.
  Status Drain();
  Status Spool(const char* data, size_t n);
  size_t Unspool(char* buf, size_t capacity);
  size_t spooled() const { return spool_mem_.size() - mem_pos_ + (file_end_ - file_pos_); }

  std::unique_ptr<GitProcess> process_;
  bool stdout_eof_ = false;
  bool input_dropped_ = false;
  std::string spool_mem_;
  size_t mem_pos_ = 0;
  int spool_fd_ = -1;  // once memory is full: an O_TMPFILE file
  uint64_t file_pos_ = 0;
  uint64_t file_end_ = 0;
};

}  // namespace spacehub::repo
