#include "service/log_follower.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <deque>

namespace spacehub::service {

SpaceLogLine ParseLogLine(std::string line) {
  SpaceLogLine l;
  size_t digits = 0;
  while (digits < line.size() && std::isdigit(static_cast<unsigned char>(line[digits]))) ++digits;
  if (digits == 13 && line.size() > 13 && line[13] == ' ') {
    l.at = std::stoll(line.substr(0, 13));
    l.text = line.substr(14);
  } else {
    l.text = std::move(line);
  }
  return l;
}

LogFollower::LogFollower(std::filesystem::path path, runtime::Redactor redactor)
    : path_(std::move(path)), redactor_(std::move(redactor)) {}

std::vector<std::string> LogFollower::ReadNewLines() {
  std::vector<std::string> lines;
  int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return lines;
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return lines;
  }
  if (st.st_ino != inode_ || static_cast<uint64_t>(st.st_size) < offset_) {
    inode_ = st.st_ino;  // a new log (or one cut short): start over
    offset_ = 0;
    partial_.clear();
  }
  char buf[64 * 1024];
  for (;;) {
    ssize_t n = ::pread(fd, buf, sizeof(buf), static_cast<off_t>(offset_));
    if (n <= 0) break;
    offset_ += static_cast<uint64_t>(n);
    size_t start = 0;
    for (ssize_t i = 0; i < n; ++i) {
      if (buf[i] != '\n') continue;
      partial_.append(buf + start, static_cast<size_t>(i) - start);
      lines.push_back(std::move(partial_));
      partial_.clear();
      start = static_cast<size_t>(i) + 1;
    }
    partial_.append(buf + start, static_cast<size_t>(n) - start);
  }
  ::close(fd);
  return lines;
}

std::vector<SpaceLogLine> LogFollower::Backlog(size_t tail) {
  std::deque<std::string> kept;
  for (auto& l : ReadNewLines()) {
    kept.push_back(std::move(l));
    if (kept.size() > tail) kept.pop_front();
  }
  std::vector<SpaceLogLine> out;
  out.reserve(kept.size());
  for (auto& l : kept) {
    SpaceLogLine parsed = ParseLogLine(std::move(l));
    parsed.text = redactor_.Apply(parsed.text);
    out.push_back(std::move(parsed));
  }
  return out;
}

std::vector<SpaceLogLine> LogFollower::Poll() { return Backlog(static_cast<size_t>(-1)); }

}  // namespace spacehub::service
