#include "core/background_sha256.h"

namespace spacehub {

BackgroundSha256::BackgroundSha256(size_t max_pending_bytes)
    : max_pending_(max_pending_bytes), worker_([this] { Run(); }) {}

BackgroundSha256::~BackgroundSha256() {
  {
    std::lock_guard lock(mu_);
    closing_ = true;
  }
  changed_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void BackgroundSha256::Update(std::string_view data) {
  if (data.empty()) return;
  std::unique_lock lock(mu_);
  changed_.wait(lock, [&] { return pending_ == 0 || pending_ + data.size() <= max_pending_; });
  queue_.emplace_back(data);
  pending_ += data.size();
  lock.unlock();
  changed_.notify_all();
}

std::string BackgroundSha256::FinishHex() {
  {
    std::lock_guard lock(mu_);
    closing_ = true;
  }
  changed_.notify_all();
  worker_.join();
  return sha_.FinishHex();
}

void BackgroundSha256::Run() {
  std::unique_lock lock(mu_);
  for (;;) {
    changed_.wait(lock, [&] { return !queue_.empty() || closing_; });
    if (queue_.empty()) return;  // closing and drained
    std::string chunk = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    sha_.Update(chunk);
    lock.lock();
    pending_ -= chunk.size();
    changed_.notify_all();
  }
}

}  // namespace spacehub
