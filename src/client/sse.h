// Server-sent events (the WHATWG "text/event-stream" format) as the Hub's Space log routes send
// them: each event is one or more `data:` lines ended by a blank line. SseParser is fed the body
// in arbitrary chunks (a line may be split anywhere) and hands out each event's data.
// One parser per stream; not thread-safe (a stream is read by one thread).
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "spacehub/types.h"

namespace spacehub::client::detail {

class SseParser final {
 public:
  // Called with an event's data (its data lines joined by '\n'); returns false to stop.
  using EventFn = std::function<bool(const std::string& data)>;

  // Feeds a chunk; returns false once on_event asked to stop (the rest of the chunk is dropped).
  bool Feed(std::string_view chunk, const EventFn& on_event);
  // At the end of the stream: dispatches a last event that had no blank line after it.
  bool Finish(const EventFn& on_event);

 private:
  bool Line(std::string_view line, const EventFn& on_event);

  std::string partial_;  // an unfinished line
  std::string data_;     // the current event's data so far
  bool has_data_ = false;
  bool last_was_cr_ = false;
};

// One log event's data: the Hub's {"data": "...", "timestamp": "..."} object, or, when the data
// is not such an object, the text itself.
SpaceLogLine ParseLogEvent(const std::string& data);

}  // namespace spacehub::client::detail
