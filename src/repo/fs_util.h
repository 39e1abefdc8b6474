// Small POSIX file helpers for durable writes (temp file + fsync + rename, directory fsync).
// Internal to src/repo. Thread-safety: all functions are thread-safe (no shared state).
#pragma once

#include <filesystem>
#include <string_view>

#include "core/result.h"

namespace spacehub::repo::fs {

// fsync(2) on a directory so that a rename or create inside it is durable.
Status FsyncDir(const std::filesystem::path& dir);
// fsyncs every file and directory under `root` (and `root` itself), e.g. a freshly initialised
// repository before it is renamed into place.
Status FsyncTree(const std::filesystem::path& root);
// mkdir -p.
Status MakeDirs(const std::filesystem::path& dir);
// Writes all of `data` to `fd`, retrying short writes and EINTR.
Status WriteAll(int fd, std::string_view data, const std::filesystem::path& what);
// errno → Status with context ("<what>: <strerror>").
Status Errno(int err, std::string_view what);

// An open file that is unlinked on destruction unless Release()d.
class TempFile final {
 public:
  TempFile() = default;
  ~TempFile();
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  // Creates `path` exclusively (O_CREAT|O_EXCL), creating parent directories.
  Status Create(std::filesystem::path path);
  int fd() const { return fd_; }
  const std::filesystem::path& path() const { return path_; }
  // fsync + close; the file stays (and is still unlinked by the destructor unless Released).
  Status SyncAndClose();
  // Closes and unlinks the file now (no-op after Release()).
  void Discard();
  // Forget the file: the destructor will no longer unlink it (after a successful rename).
  void Release();

 private:
  int fd_ = -1;
  std::filesystem::path path_;
};

}  // namespace spacehub::repo::fs
