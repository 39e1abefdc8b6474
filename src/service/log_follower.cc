#include "service/log_follower.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <deque>
#include <string_view>

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

void LogFollower::EndLine(std::deque<std::string>& lines, size_t keep) {
  if (keep == 0) {
    partial_.clear();
    return;
  }
  if (lines.size() == keep) lines.pop_front();
  lines.push_back(std::move(partial_));
  partial_.clear();
}

std::deque<std::string> LogFollower::ReadNewLines(uint64_t max_bytes, uint64_t from_end,
                                                  size_t keep) {
  std::deque<std::string> lines;
  int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return lines;
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return lines;
  }
  const auto size = static_cast<uint64_t>(st.st_size);
  if (st.st_ino != inode_ || size < offset_) {
    inode_ = st.st_ino;  // a new log (or one cut short): start over
    offset_ = 0;
    partial_.clear();
    skip_to_newline_ = false;
  }
  if (size - offset_ > from_end) {
    // Only the end is wanted: it starts mid-line, up to the first line end.
    offset_ = size - from_end;
    partial_.clear();
    char before = '\n';
    skip_to_newline_ =
        ::pread(fd, &before, 1, static_cast<off_t>(offset_ - 1)) == 1 && before != '\n';
  }
  const uint64_t stop = offset_ + std::min(max_bytes, size - offset_);
  char buf[64 * 1024];
  while (offset_ < stop) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(sizeof(buf), stop - offset_));
    ssize_t n = ::pread(fd, buf, want, static_cast<off_t>(offset_));
    if (n <= 0) break;
    offset_ += static_cast<uint64_t>(n);
    std::string_view rest(buf, static_cast<size_t>(n));
    while (!rest.empty()) {
      const size_t nl = rest.find('\n');
      std::string_view piece = rest.substr(0, nl);
      if (skip_to_newline_) {
        if (nl == std::string_view::npos) break;
        skip_to_newline_ = false;
        rest.remove_prefix(nl + 1);
        continue;
      }
      // A line past kMaxLineBytes ends there; its rest is the next line.
      while (partial_.size() + piece.size() >= kMaxLineBytes) {
        const size_t take = kMaxLineBytes - partial_.size();
        partial_.append(piece.substr(0, take));
        piece.remove_prefix(take);
        EndLine(lines, keep);
      }
      partial_.append(piece);
      if (nl == std::string_view::npos) break;
      EndLine(lines, keep);
      rest.remove_prefix(nl + 1);
    }
  }
  ::close(fd);
  return lines;
}

std::vector<SpaceLogLine> LogFollower::Finish(std::deque<std::string> lines) {
  std::vector<SpaceLogLine> out;
  out.reserve(lines.size());
  for (auto& l : lines) {
    SpaceLogLine parsed = ParseLogLine(std::move(l));
    parsed.text = redactor_.Apply(parsed.text);
    out.push_back(std::move(parsed));
  }
  return out;
}

std::vector<SpaceLogLine> LogFollower::Backlog(size_t tail) {
  return Finish(ReadNewLines(kMaxBacklogBytes, kMaxBacklogBytes, tail));
}

std::vector<SpaceLogLine> LogFollower::Poll() {
  return Finish(ReadNewLines(kMaxPollBytes, UINT64_MAX, SIZE_MAX));
}

}  // namespace spacehub::service
