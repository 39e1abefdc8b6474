// See sse.h.
#include "client/sse.h"

#include <nlohmann/json.hpp>

namespace spacehub::client::detail {

bool SseParser::Feed(std::string_view chunk, const EventFn& on_event) {
  for (char c : chunk) {
    // Lines end in "\n", "\r" or "\r\n"; the '\n' of a "\r\n" is not a second (blank) line.
    if (c == '\n' && last_was_cr_) {
      last_was_cr_ = false;
      continue;
    }
    last_was_cr_ = c == '\r';
    if (c == '\n' || c == '\r') {
      std::string line;
      line.swap(partial_);
      if (!Line(line, on_event)) return false;
    } else {
      partial_.push_back(c);
    }
  }
  return true;
}

bool SseParser::Finish(const EventFn& on_event) {
  if (!partial_.empty()) {
    std::string line;
    line.swap(partial_);
    if (!Line(line, on_event)) return false;
  }
  return Line("", on_event);
}

bool SseParser::Line(std::string_view line, const EventFn& on_event) {
  if (line.empty()) {  // dispatch
    if (!has_data_) return true;
    std::string data;
    data.swap(data_);
    has_data_ = false;
    return on_event(data);
  }
  if (line.front() == ':') return true;  // comment (keep-alive)
  std::string_view field = line, value;
  if (auto colon = line.find(':'); colon != std::string_view::npos) {
    field = line.substr(0, colon);
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  if (field == "data") {
    if (has_data_) data_.push_back('\n');
    data_.append(value);
    has_data_ = true;
  }
  return true;  // event:, id:, retry: carry nothing a log reader needs
}

SpaceLogLine ParseLogEvent(const std::string& data) {
  SpaceLogLine line;
  auto j = nlohmann::json::parse(data, nullptr, false);
  if (j.is_object() && j.contains("data") && j["data"].is_string()) {
    line.data = j["data"].get<std::string>();
    if (j.contains("timestamp") && j["timestamp"].is_string()) line.timestamp = j["timestamp"];
  } else {
    line.data = data;
  }
  return line;
}

}  // namespace spacehub::client::detail
