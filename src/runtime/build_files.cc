#include "runtime/build_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace spacehub::runtime {
namespace fs = std::filesystem;
namespace {

// Deeper trees than this are refused rather than walked (each level holds one descriptor).
constexpr int kMaxDepth = 256;

std::string Errno(const std::string& what, const fs::path& p) {
  return what + " " + p.string() + ": " + std::strerror(errno);
}

// The names in the directory `fd` (a dup is read, so `fd` stays usable).
Result<std::vector<std::string>> ListNames(int fd) {
  int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) return Status::Internal(std::string("dup: ") + std::strerror(errno));
  DIR* d = ::fdopendir(copy);
  if (!d) {
    ::close(copy);
    return Status::Internal(std::string("fdopendir: ") + std::strerror(errno));
  }
  ::rewinddir(d);
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(std::move(n));
  }
  ::closedir(d);
  return names;
}

// Opens `name` in `dirfd` as a directory, refusing a link.
int OpenDirAt(int dirfd, const char* name) {
  return ::openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

// Empties the directory `fd` (which the caller owns and closes).
Status EmptyDir(int fd, const fs::path& shown, int depth) {
  if (depth > kMaxDepth) return Status::Internal("Too deep to remove: " + shown.string());
  SH_ASSIGN_OR_RETURN(auto names, ListNames(fd));
  for (const auto& n : names) {
    // A directory (never a link to one) is emptied first; everything else is unlinked as is.
    if (::unlinkat(fd, n.c_str(), 0) == 0 || errno == ENOENT) continue;
    if (errno != EISDIR && errno != EPERM)
      return Status::Internal(Errno("Cannot remove", shown / n));
    int sub = OpenDirAt(fd, n.c_str());
    if (sub < 0) {
      if (errno == ENOENT) continue;
      return Status::Internal(Errno("Cannot open", shown / n));
    }
    Status st = EmptyDir(sub, shown / n, depth + 1);
    ::close(sub);
    SH_TRY(st);
    if (::unlinkat(fd, n.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT) {
      return Status::Internal(Errno("Cannot remove", shown / n));
    }
  }
  return Status::Ok();
}

Status ChownDir(int fd, const fs::path& shown, uid_t uid, gid_t gid, int depth) {
  if (depth > kMaxDepth) return Status::Internal("Too deep to chown: " + shown.string());
  if (::fchown(fd, uid, gid) != 0) return Status::Internal(Errno("Cannot chown", shown));
  SH_ASSIGN_OR_RETURN(auto names, ListNames(fd));
  for (const auto& n : names) {
    struct stat st {};
    if (::fstatat(fd, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      return Status::Internal(Errno("Cannot stat", shown / n));
    }
    if (S_ISDIR(st.st_mode)) {
      int sub = OpenDirAt(fd, n.c_str());
      if (sub < 0) return Status::Internal(Errno("Cannot open", shown / n));
      Status s = ChownDir(sub, shown / n, uid, gid, depth + 1);
      ::close(sub);
      SH_TRY(s);
    } else if (::fchownat(fd, n.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW) != 0) {
      return Status::Internal(Errno("Cannot chown", shown / n));
    }
  }
  return Status::Ok();
}

}  // namespace

Status RemoveTree(const fs::path& path) {
  const fs::path parent = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  const std::string name = path.filename().string();
  if (name.empty() || name == "." || name == "..") {
    return Status::InvalidArgument("Refusing to remove " + path.string());
  }
  // The parent is the hub's own directory (builds/, spaces/<uid>): it may be followed.
  int pfd = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (pfd < 0) {
    if (errno == ENOENT) return Status::Ok();
    return Status::Internal(Errno("Cannot open", parent));
  }
  Status st = Status::Ok();
  if (::unlinkat(pfd, name.c_str(), 0) != 0 && errno != ENOENT) {
    int fd = OpenDirAt(pfd, name.c_str());
    if (fd < 0) {
      if (errno != ENOENT) st = Status::Internal(Errno("Cannot open", path));
    } else {
      st = EmptyDir(fd, path, 0);
      ::close(fd);
      if (st.ok() && ::unlinkat(pfd, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT) {
        st = Status::Internal(Errno("Cannot remove", path));
      }
    }
  }
  ::close(pfd);
  return st;
}

Status ChownTree(const fs::path& dir, uid_t uid, gid_t gid) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return Status::Internal(Errno("Cannot open", dir));
  Status st = ChownDir(fd, dir, uid, gid, 0);
  ::close(fd);
  return st;
}

fs::path BuildMarkerPath(const fs::path& build_dir) {
  fs::path p = build_dir;
  p += ".ok";
  return p;
}

Status WriteBuildMarker(const fs::path& build_dir, const std::string& stamp) {
  const fs::path marker = BuildMarkerPath(build_dir);
  fs::path tmp = marker;
  tmp += ".tmp";
  (void)::unlink(tmp.c_str());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Internal(Errno("Cannot create", tmp));
  const std::string text = stamp + "\n";
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = ::fsync(fd) == 0 && ok;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), marker.c_str()) != 0) {
    (void)::unlink(tmp.c_str());
    return Status::Internal(Errno("Cannot write", marker));
  }
  return Status::Ok();
}

bool BuildComplete(const fs::path& build_dir, const std::string& stamp) {
  struct stat st {};
  if (::lstat(build_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return false;
  int fd = ::open(BuildMarkerPath(build_dir).c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[512];
  ssize_t n = ::read(fd, buf, sizeof(buf));
  ::close(fd);
  return n > 0 && std::string(buf, static_cast<size_t>(n)) == stamp + "\n";
}

}  // namespace spacehub::runtime
