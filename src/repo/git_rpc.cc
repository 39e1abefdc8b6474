#include "repo/git_rpc.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

namespace spacehub::repo {
namespace {

constexpr size_t kSpoolMemory = 4 * 1024 * 1024;
// No progress for this long while the client is sending: git is stuck.
constexpr int kWriteStallMs = 120'000;
// Between two pieces of output (pack-objects on a big repo may think for a while; it sends
// keep-alive packets meanwhile in protocol v2 and with side-band progress).
constexpr int kReadStallMs = 600'000;

}  // namespace

Result<std::unique_ptr<GitRpc>> GitRpc::Start(const GitCommand& command) {
  SH_ASSIGN_OR_RETURN(auto p, GitProcess::Start(command, GitProcess::Io::kNonBlocking));
  return std::unique_ptr<GitRpc>(new GitRpc(std::move(p)));
}

GitRpc::~GitRpc() {
  if (spool_fd_ >= 0) ::close(spool_fd_);
}

Status GitRpc::Spool(const char* data, size_t n) {
  if (spool_fd_ < 0 && spool_mem_.size() + n <= kSpoolMemory) {
    spool_mem_.append(data, n);
    return Status::Ok();
  }
  if (spool_fd_ < 0) {
    spool_fd_ = ::open(std::filesystem::temp_directory_path().c_str(),
                       O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (spool_fd_ < 0) return Status::Internal("cannot create a spool file for git output");
  }
  while (n > 0) {
    ssize_t w = ::pwrite(spool_fd_, data, n, static_cast<off_t>(file_end_));
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return Status::Internal("cannot write the git output spool");
    file_end_ += static_cast<uint64_t>(w);
    data += w;
    n -= static_cast<size_t>(w);
  }
  return Status::Ok();
}

size_t GitRpc::Unspool(char* buf, size_t capacity) {
  if (mem_pos_ < spool_mem_.size()) {
    size_t n = std::min(capacity, spool_mem_.size() - mem_pos_);
    std::copy_n(spool_mem_.data() + mem_pos_, n, buf);
    mem_pos_ += n;
    if (mem_pos_ == spool_mem_.size()) {
      spool_mem_.clear();
      mem_pos_ = 0;
    }
    return n;
  }
  if (file_pos_ < file_end_) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(capacity, file_end_ - file_pos_));
    ssize_t r = ::pread(spool_fd_, buf, want, static_cast<off_t>(file_pos_));
    if (r > 0) {
      file_pos_ += static_cast<uint64_t>(r);
      return static_cast<size_t>(r);
    }
  }
  return 0;
}

Status GitRpc::Drain() {
  char buf[64 * 1024];
  while (!stdout_eof_) {
    ssize_t r = ::read(process_->stdout_fd(), buf, sizeof buf);
    if (r > 0) {
      SH_TRY(Spool(buf, static_cast<size_t>(r)));
      continue;
    }
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    stdout_eof_ = true;  // EOF or a broken pipe: git is done writing
    process_->CloseStdout();
  }
  return Status::Ok();
}

Status GitRpc::Write(std::string_view data) {
  while (!data.empty() && !input_dropped_) {
    pollfd fds[2] = {{process_->stdin_fd(), POLLOUT, 0}, {-1, POLLIN, 0}};
    if (!stdout_eof_) fds[1].fd = process_->stdout_fd();
    int pr = ::poll(fds, 2, kWriteStallMs);
    if (pr < 0 && errno == EINTR) continue;
    if (pr < 0) return Status::Internal("poll failed");
    if (pr == 0) return Status::Unavailable("git stopped reading the request");
    if (fds[1].revents) SH_TRY(Drain());
    if (fds[0].revents & (POLLERR | POLLHUP)) {
      input_dropped_ = true;  // git closed its stdin (exited or refused): discard the rest
      break;
    }
    if (fds[0].revents & POLLOUT) {
      ssize_t w = ::write(process_->stdin_fd(), data.data(), data.size());
      if (w > 0) {
        data.remove_prefix(static_cast<size_t>(w));
      } else if (w < 0 && errno != EAGAIN && errno != EINTR) {
        input_dropped_ = true;
      }
    }
  }
  return Status::Ok();
}

void GitRpc::CloseInput() { process_->CloseStdin(); }

Result<bool> GitRpc::WaitForOutput() {
  while (spooled() == 0 && !stdout_eof_) {
    pollfd fd = {process_->stdout_fd(), POLLIN, 0};
    int pr = ::poll(&fd, 1, kReadStallMs);
    if (pr < 0 && errno == EINTR) continue;
    if (pr <= 0) return Status::Unavailable("git produced no output in time");
    SH_TRY(Drain());
  }
  return spooled() > 0;
}

Result<size_t> GitRpc::Read(char* buf, size_t capacity) {
  if (spooled() > 0) return Unspool(buf, capacity);
  while (!stdout_eof_) {
    ssize_t r = ::read(process_->stdout_fd(), buf, capacity);
    if (r > 0) return static_cast<size_t>(r);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd fd = {process_->stdout_fd(), POLLIN, 0};
      int pr = ::poll(&fd, 1, kReadStallMs);
      if (pr == 0) return Status::Unavailable("git produced no output in time");
      continue;
    }
    stdout_eof_ = true;
    process_->CloseStdout();
  }
  return size_t{0};
}

}  // namespace spacehub::repo
