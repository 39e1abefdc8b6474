#include "proxy/app_link.h"

namespace spacehub::proxy {

namespace {
constexpr size_t kRelayBuffer = size_t{64} * 1024;
}  // namespace

AppLink::AppLink(AppPool& pool)
    : pool_(pool), buffer_(std::make_unique_for_overwrite<char[]>(kRelayBuffer)) {}

AppLink::~AppLink() { GiveBack(); }

void AppLink::TakeInto(const std::string& key, int port,
                       std::optional<boost::beast::tcp_stream>& out) {
  if (stream_ && key == key_ && port == port_) {
    out.emplace(std::move(*stream_));
    stream_.reset();
  }
  GiveBack();
}

void AppLink::Keep(const std::string& key, int port, boost::beast::tcp_stream&& stream) {
  GiveBack();
  lane_.reset();
  key_ = key;
  port_ = port;
  stream_.emplace(std::move(stream));
}

boost::asio::mutable_buffer AppLink::buffer() { return {buffer_.get(), kRelayBuffer}; }

void AppLink::ArmLane(Lane lane) {
  if (!stream_) return;
  lane.checked = std::chrono::steady_clock::now();
  lane_.emplace(std::move(lane));
}

void AppLink::GiveBack() {
  if (!stream_) return;
  boost::beast::error_code ec;
  int fd = stream_->release_socket().release(ec);
  if (!ec && fd >= 0) pool_.Release(key_, port_, fd);
  stream_.reset();
}

void AppLink::Drop() {
  if (!stream_) return;
  boost::beast::error_code ec;
  stream_->socket().close(ec);
  stream_.reset();
  app_buffer_.clear();
}

}  // namespace spacehub::proxy
