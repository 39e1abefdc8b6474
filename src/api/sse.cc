#include "api/sse.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace spacehub::api {
namespace {

constexpr std::chrono::seconds kKeepAlive{30};

class SseFollowBody final : public http::BodySource {
 public:
  explicit SseFollowBody(SseFollow f)
      : f_(std::move(f)), pending_(std::move(f_.first)), last_sent_(Clock::now()) {}

  Result<size_t> Read(char* buf, size_t capacity) override {
    // Poll at most once per interval: a source that always has something (metrics) would
    // otherwise be sampled as fast as the client reads, costing the hub a core per follower.
    if (sent_ == pending_.size() && !ended_ && Clock::now() - last_poll_ >= f_.interval) {
      pending_.clear();  // sent whole: start the next batch at the front
      sent_ = 0;
      last_poll_ = Clock::now();
      Refill();
    }
    if (sent_ == pending_.size()) return ended_ ? size_t{0} : kNotYet;
    // An offset rather than erasing the front, so a large replay is not copied once per chunk.
    size_t n = std::min(capacity, pending_.size() - sent_);
    std::memcpy(buf, pending_.data() + sent_, n);
    sent_ += n;
    last_sent_ = Clock::now();
    return n;
  }

  std::chrono::milliseconds PollInterval() const override { return f_.interval; }

 private:
  using Clock = std::chrono::steady_clock;

  void Refill() {
    // `live` is read before the poll, so lines written just before the end are still sent.
    bool live = f_.live();
    for (const auto& e : f_.poll()) pending_ += SseEvent(e, f_.event);
    if (!pending_.empty()) return;
    if (!live) {
      ended_ = true;
    } else if (Clock::now() - last_sent_ >= kKeepAlive) {
      pending_ = ": keep-alive\n\n";
    }
  }

  SseFollow f_;
  std::string pending_;  // what to send; pending_[0, sent_) went out already
  size_t sent_ = 0;
  bool ended_ = false;
  Clock::time_point last_sent_;
  Clock::time_point last_poll_;  // epoch: the first Read polls at once
};

}  // namespace

Result<size_t> TailParam(const http::Request& req, size_t max) {
  auto tail = req.Query("tail");
  if (!tail) return std::min<size_t>(1000, max);
  char* end = nullptr;
  int64_t n = std::strtoll(tail->c_str(), &end, 10);
  if (tail->empty() || *end != '\0' || n < 1) {
    return Status::InvalidArgument("'tail' must be a positive integer");
  }
  return static_cast<size_t>(std::min<int64_t>(n, static_cast<int64_t>(max)));
}

Result<bool> FollowParam(const http::Request& req, bool dflt) {
  auto v = req.Query("follow");
  if (!v) return dflt;
  if (*v == "true" || *v == "1") return true;
  if (*v == "false" || *v == "0") return false;
  return Status::InvalidArgument("'follow' must be true or false");
}

std::string SseEvent(const nlohmann::json& value, const std::string& event) {
  std::string out = event.empty() ? "" : "event: " + event + "\n";
  return out + "data: " + value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
         "\n\n";
}

http::Response SseResponse(const std::vector<nlohmann::json>& events) {
  std::string body;
  for (const auto& e : events) body += SseEvent(e);
  http::Response resp = http::Response::Text(std::move(body), 200, "text/event-stream");
  resp.Header("Cache-Control", "no-cache");
  return resp;
}

http::Response SseFollowResponse(SseFollow follow) {
  http::Response resp;
  resp.Header("Content-Type", "text/event-stream");
  resp.Header("Cache-Control", "no-cache");
  resp.Header("X-Accel-Buffering", "no");
  resp.stream = std::make_unique<SseFollowBody>(std::move(follow));
  return resp;
}

}  // namespace spacehub::api
