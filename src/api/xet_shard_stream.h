// ShardCheckStream: the answer of POST /cas/v2/shards (xet-core's upload_shard_v2), a stream of
// NDJSON frames while the shard is checked:
//   {"type":"validating","verified":k,"total":n}  k of the shard's n files checked
//   {"type":"committing","stage":"syncing"}        checked; being recorded
//   {"type":"result"}                              recorded (terminal)
//   {"type":"error","message":…,"retryable":b}     refused or failed (terminal; the status is
//                                                  already 200, so this frame is the error)
// The check itself is the body's background work (http::BodySource::TakeBackgroundWork): it runs
// on the server's pool for slow work, and the last frame goes out again after every `heartbeat`
// of silence, so a client's read timeout does not cut a long check (a file of many GiB is read
// back whole for its SHA-256). When the client leaves, the source's destructor tells the check,
// which stops at its next step and records nothing.
//
// Threading: the source is read on an I/O thread; the check runs on a pool thread; they share
// only the frame queue, behind its mutex.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/result.h"
#include "http/response.h"
#include "service/xet_service.h"

namespace spacehub::api {

class ShardCheckStream final : public http::BodySource {
 public:
  // Runs the check, telling `progress`; its result becomes the terminal frame.
  using Check = std::function<Result<int>(service::ShardProgress& progress)>;

  // `files`: how many files the shard has (the first frame says 0 of them are checked).
  ShardCheckStream(uint64_t files, Check check,
                   std::chrono::milliseconds heartbeat = std::chrono::seconds(20));
  ~ShardCheckStream() override;
  ShardCheckStream(const ShardCheckStream&) = delete;
  ShardCheckStream& operator=(const ShardCheckStream&) = delete;

  std::function<void()> TakeBackgroundWork() override;
  Result<size_t> Read(char* buf, size_t capacity) override;
  std::chrono::milliseconds PollInterval() const override { return std::chrono::milliseconds(50); }

 private:
  class Frames;  // the queue the check fills; also the check's ShardProgress
  std::shared_ptr<Frames> frames_;
  Check check_;
  const std::chrono::milliseconds heartbeat_;
  std::string out_;  // taken from the queue, not yet read
  size_t out_pos_ = 0;
  std::string last_frame_;  // what a heartbeat repeats
  std::chrono::steady_clock::time_point last_sent_;
};

}  // namespace spacehub::api
