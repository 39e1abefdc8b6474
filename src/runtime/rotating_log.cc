#include "runtime/rotating_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

namespace spacehub::runtime {

RotatingLog::RotatingLog(std::filesystem::path path, int64_t cap)
    : path_(std::move(path)), cap_(cap > 0 ? cap : kDefaultRunLogCap) {
  Open();
}

RotatingLog::~RotatingLog() {
  if (fd_ >= 0) ::close(fd_);
}

void RotatingLog::Open() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
  struct stat st {};
  size_ = fd_ >= 0 && ::fstat(fd_, &st) == 0 ? st.st_size : 0;
}

void RotatingLog::Append(const std::string& line) {
  if (fd_ < 0) return;
  std::string l = static_cast<int64_t>(line.size()) >= cap_
                      ? line.substr(0, static_cast<size_t>(cap_ - 1))
                      : line;
  l.push_back('\n');
  if (size_ > 0 && size_ + static_cast<int64_t>(l.size()) > cap_) {
    std::filesystem::path old = path_;
    old += ".1";
    std::rename(path_.c_str(), old.c_str());
    Open();
    if (fd_ < 0) return;
  }
  size_t off = 0;
  while (off < l.size()) {
    ssize_t n = ::write(fd_, l.data() + off, l.size() - off);
    if (n <= 0) return;  // disk full: the line is lost, the app goes on
    off += static_cast<size_t>(n);
  }
  size_ += static_cast<int64_t>(l.size());
}

}  // namespace spacehub::runtime
