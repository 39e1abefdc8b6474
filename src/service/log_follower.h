// LogFollower: reads a Space's build or run log from where it last stopped, as the engine appends
// to it (`tail -F`: a log replaced or truncated — each build starts a fresh build log — is read
// again from its start). Lines come back parsed ("<epoch millis> <text>" or plain text) and
// redacted. Memory is bounded whatever the log's size: the backlog comes from at most the log's
// last kMaxBacklogBytes, one Poll reads at most kMaxPollBytes (the next one goes on from there),
// and a line longer than kMaxLineBytes comes back in pieces of that size. A log is read in 64 KiB
// chunks, never whole. Owned by one streaming response; not thread-safe.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <deque>
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
  static constexpr size_t kMaxLineBytes = 64 * 1024;
  static constexpr uint64_t kMaxBacklogBytes = 4 * 1024 * 1024;
  static constexpr uint64_t kMaxPollBytes = 1024 * 1024;

  LogFollower(std::filesystem::path path, runtime::Redactor redactor);

  // The last `tail` complete lines of the log's last kMaxBacklogBytes now; later Polls continue
  // after them.
  std::vector<SpaceLogLine> Backlog(size_t tail);
  // The complete lines appended since the last call, from at most kMaxPollBytes more of the log
  // (with the line an earlier call left unfinished: at most kMaxPollBytes + kMaxLineBytes); none
  // when the log does not exist yet.
  std::vector<SpaceLogLine> Poll();

 private:
  // Reads up to `max_bytes` from offset_ (from the last `from_end` bytes of the log, at a line
  // start, when the log has more than that left to read); `keep` limits the lines kept (the last
  // ones win).
  std::deque<std::string> ReadNewLines(uint64_t max_bytes, uint64_t from_end, size_t keep);
  // Ends partial_ as a line of `lines`, dropping the oldest past `keep`.
  void EndLine(std::deque<std::string>& lines, size_t keep);
  std::vector<SpaceLogLine> Finish(std::deque<std::string> lines);

  std::filesystem::path path_;
  runtime::Redactor redactor_;
  ino_t inode_ = 0;  // of the file read so far; another inode means the log was replaced
  uint64_t offset_ = 0;
  std::string partial_;           // an unfinished last line, completed by a later read
  bool skip_to_newline_ = false;  // started mid-line (a backlog cut): drop up to the next line
};

}  // namespace spacehub::service
