#include "repo/fs_util.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

namespace spacehub::repo::fs {

Status Errno(int err, std::string_view what) {
  return Status::Internal(std::string(what) + ": " + std::strerror(err));
}

Status FsyncDir(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno(errno, "open dir " + dir.string());
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return Errno(err, "fsync dir " + dir.string());
  return Status::Ok();
}

Status FsyncTree(const std::filesystem::path& root) {
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    const bool is_dir = it->is_directory(ec);
    if (ec) break;
    int fd = ::open(it->path().c_str(), (is_dir ? O_DIRECTORY : 0) | O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Errno(errno, "open " + it->path().string());
    int rc = ::fsync(fd);
    int err = errno;
    ::close(fd);
    if (rc != 0) return Errno(err, "fsync " + it->path().string());
  }
  if (ec) return Status::Internal("scan " + root.string() + ": " + ec.message());
  return FsyncDir(root);
}

Status MakeDirs(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::Internal("mkdir " + dir.string() + ": " + ec.message());
  return Status::Ok();
}

Status WriteAll(int fd, std::string_view data, const std::filesystem::path& what) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno(errno, "write " + what.string());
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

TempFile::~TempFile() { Discard(); }

void TempFile::Discard() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!path_.empty()) ::unlink(path_.c_str());
  path_.clear();
}

Status TempFile::Create(std::filesystem::path path) {
  SH_TRY(MakeDirs(path.parent_path()));
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Errno(errno, "create " + path.string());
  fd_ = fd;
  path_ = std::move(path);
  return Status::Ok();
}

Status TempFile::SyncAndClose() {
  if (fd_ < 0) return Status::Ok();
  int rc = ::fsync(fd_);
  int err = errno;
  ::close(fd_);
  fd_ = -1;
  if (rc != 0) return Errno(err, "fsync " + path_.string());
  return Status::Ok();
}

void TempFile::Release() { path_.clear(); }

}  // namespace spacehub::repo::fs
