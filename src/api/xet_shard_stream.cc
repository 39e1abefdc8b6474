// ShardCheckStream (xet_shard_stream.h): frames, their queue, the heartbeat.
#include "api/xet_shard_stream.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <nlohmann/json.hpp>
#include <utility>

#include "core/log.h"
#include "core/mutex.h"

namespace spacehub::api {

namespace {

std::string Frame(const nlohmann::json& j) { return j.dump() + "\n"; }

}  // namespace

class ShardCheckStream::Frames final : public service::ShardProgress {
 public:
  void Validating(uint64_t verified, uint64_t total) override {
    Push(Frame({{"type", "validating"}, {"verified", verified}, {"total", total}}),
         /*progress=*/true);
  }
  void Committing() override { Push(Frame({{"type", "committing"}, {"stage", "syncing"}}), false); }
  bool Wanted() const override { return wanted_.load(); }

  // The terminal frame.
  void Finish(const Result<int>& result) {
    if (result.ok()) {
      Push(Frame({{"type", "result"}}), false);
    } else {
      // Worth a retry: the hub was busy or the stored bytes went meanwhile (503), not a refusal.
      const bool retryable = result.status().code() == Code::kUnavailable ||
                             result.status().code() == Code::kResourceExhausted;
      Push(Frame({{"type", "error"},
                  {"message", result.status().message()},
                  {"retryable", retryable}}),
           false);
    }
    MutexLock lock(mu_);
    done_ = true;
  }
  void Abandon() { wanted_.store(false); }

  // The frames pushed since the last call, and whether the terminal one is among what was taken.
  std::pair<std::string, bool> Take() {
    MutexLock lock(mu_);
    std::string taken;
    taken.swap(pending_);
    last_is_progress_ = false;
    return {std::move(taken), done_};
  }

 private:
  void Push(const std::string& frame, bool progress) {
    MutexLock lock(mu_);
    // Progress not yet sent is replaced by newer progress: a shard of 100,000 small files is
    // not 100,000 frames.
    if (progress && last_is_progress_) pending_.resize(last_start_);
    last_start_ = pending_.size();
    last_is_progress_ = progress;
    pending_ += frame;
  }

  std::atomic<bool> wanted_{true};
  Mutex mu_;
  std::string pending_ GUARDED_BY(mu_);
  size_t last_start_ GUARDED_BY(mu_) = 0;
  bool last_is_progress_ GUARDED_BY(mu_) = false;
  bool done_ GUARDED_BY(mu_) = false;
};

ShardCheckStream::ShardCheckStream(uint64_t files, Check check, std::chrono::milliseconds heartbeat)
    : frames_(std::make_shared<Frames>()), check_(std::move(check)), heartbeat_(heartbeat) {
  // Said at once, even while the check waits for a thread of the pool.
  frames_->Validating(0, files);
}

ShardCheckStream::~ShardCheckStream() { frames_->Abandon(); }

std::function<void()> ShardCheckStream::TakeBackgroundWork() {
  if (!check_) return {};
  return [frames = frames_, check = std::exchange(check_, Check())] {
    // The stream must end with a terminal frame whatever happens, or its client waits for ever.
    Result<int> result = Status::Internal("internal error");
    try {
      result = check(*frames);
    } catch (const std::exception& e) {
      spdlog::error("shard check threw: {}", e.what());
    }
    frames->Finish(result);
  };
}

Result<size_t> ShardCheckStream::Read(char* buf, size_t capacity) {
  const auto now = std::chrono::steady_clock::now();
  if (out_pos_ == out_.size()) {
    auto [taken, done] = frames_->Take();
    out_ = std::move(taken);
    out_pos_ = 0;
    if (!out_.empty()) {
      const size_t start = out_.rfind('\n', out_.size() - 2);
      last_frame_ = out_.substr(start == std::string::npos ? 0 : start + 1);
      last_sent_ = now;
    } else if (done) {
      return size_t{0};
    } else if (now - last_sent_ >= heartbeat_) {
      out_ = last_frame_;
      last_sent_ = now;
    } else {
      return http::BodySource::kNotYet;
    }
  }
  const size_t n = std::min(capacity, out_.size() - out_pos_);
  std::copy_n(out_.data() + out_pos_, n, buf);
  out_pos_ += n;
  return n;
}

}  // namespace spacehub::api
