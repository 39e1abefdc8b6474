// LogFollower: reads a Space's build or run log from where it last stopped, as the engine appends
// to it (`tail -F`: a log replaced or truncated — each build starts a fresh build log — is read
// again from its start). Lines come back parsed ("<epoch millis> <text>" or plain text) and
// redacted. Owned by one streaming response; not thread-safe.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "runtime/redactor.h"

namespace spacehub::service {

// One line of a Space's build or run log, secrets redacted.
struct SpaceLogLine {
  std::optional<int64_t> at;  // epoch millis when known
  std::string text;
};

// Splits the engine's "<13-digit epoch millis> <text>" prefix off a stored line, when present.
SpaceLogLine ParseLogLine(std::string line);

class LogFollower final {
 public:
  LogFollower(std::filesystem::path path, runtime::Redactor redactor);

  // The last `tail` complete lines in the log now; later Polls continue after them.
  std::vector<SpaceLogLine> Backlog(size_t tail);
  // The complete lines appended since the last call (none when the log does not exist yet).
  std::vector<SpaceLogLine> Poll();

 private:
  std::vector<std::string> ReadNewLines();

  std::filesystem::path path_;
  runtime::Redactor redactor_;
  ino_t inode_ = 0;  // of the file read so far; another inode means the log was replaced
  uint64_t offset_ = 0;
  std::string partial_;  // an unfinished last line, completed by a later read
};

}  // namespace spacehub::service
