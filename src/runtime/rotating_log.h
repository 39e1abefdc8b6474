// A Space's run log on the host, bounded (issue #12: an app printing without end must not fill
// the hub's disk): lines are appended until the file would pass `cap` bytes, then the file moves to
// `<path>.1` (replacing the previous one) and a fresh file starts, so one Space's logs never take
// more than about twice the cap. Readers follow it like `tail -F` (service/log_follower.h notices
// the new file by its inode). Files are 0600 and opened without following links.
// Owned by one writer thread (the instance's pump); not thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace spacehub::runtime {

inline constexpr int64_t kDefaultRunLogCap = int64_t{10} << 20;

class RotatingLog final {
 public:
  RotatingLog(std::filesystem::path path, int64_t cap);
  ~RotatingLog();
  RotatingLog(const RotatingLog&) = delete;
  RotatingLog& operator=(const RotatingLog&) = delete;

  // Appends `line` and a newline (a line longer than the cap is cut to it).
  void Append(const std::string& line);

 private:
  void Open();

  std::filesystem::path path_;
  int64_t cap_;
  int fd_ = -1;
  int64_t size_ = 0;
};

}  // namespace spacehub::runtime
