#include "http/framing.h"

#include <strings.h>

namespace spacehub::http {
namespace {

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

bool IsFramingField(std::string_view name) {
  return IEquals(name, "content-length") || IEquals(name, "transfer-encoding");
}

bool HeadHasFramingField(std::string_view head) {
  size_t eol = head.find('\n');  // past the request line
  while (eol != std::string_view::npos) {
    head.remove_prefix(eol + 1);
    eol = head.find('\n');
    const size_t colon = head.substr(0, eol).find(':');
    if (colon != std::string_view::npos && IsFramingField(head.substr(0, colon))) return true;
  }
  return false;
}

void FramingCheck::Field(std::string_view name, std::string_view value) {
  if (IEquals(name, "content-length")) {
    ++content_lengths_;
    value = TrimOws(value);
    if (value.empty() || value.size() > 19) content_length_bad_ = true;  // 19 digits fit uint64
    for (char c : value) {
      if (c < '0' || c > '9') content_length_bad_ = true;
    }
    return;
  }
  if (!IEquals(name, "transfer-encoding")) return;
  ++te_fields_;
  // A list; empty elements do not count (RFC 9110 §5.6.1).
  while (true) {
    const size_t comma = value.find(',');
    const std::string_view element = TrimOws(value.substr(0, comma));
    if (!element.empty()) {
      ++codings_;
      if (!IEquals(element, "chunked")) other_coding_ = true;
    }
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
}

Status FramingCheck::Verdict(int http_minor) const {
  auto refuse = [](std::string message) {
    return Status::InvalidArgument(std::move(message)).WithReason("BadRequestFraming");
  };
  const bool te = te_fields_ > 0;
  if (te && http_minor == 0) return refuse("Transfer-Encoding is not allowed in HTTP/1.0");
  if (te && content_lengths_ > 0) {
    return refuse("Transfer-Encoding and Content-Length together are not allowed");
  }
  if (te && (other_coding_ || codings_ != 1)) {
    return refuse("Unsupported Transfer-Encoding (only a single chunked is accepted)");
  }
  if (content_lengths_ > 1) return refuse("More than one Content-Length");
  if (content_length_bad_) return refuse("Malformed Content-Length");
  return Status::Ok();
}

}  // namespace spacehub::http
