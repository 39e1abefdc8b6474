// Request framing (RFC 9112 §6): whether a request head says unambiguously where its body ends.
// Beast accepts some heads a strict server must refuse — `Transfer-Encoding: chunked, gzip` (read
// as "no body", so the body bytes would be taken for the next request), two identical
// Content-Length fields, `Content-Length: 5, 5` — and the proxy would pass such a head on to an app
// that may read it differently (request smuggling). Both the connection's general path and the
// proxy's fast lane feed a head's fields through one FramingCheck.
// Pure; one instance per head, not shared between threads.
#pragma once

#include <string_view>

#include "core/status.h"

namespace spacehub::http {

class FramingCheck final {
 public:
  // Each field of the head, in order (names in any case).
  void Field(std::string_view name, std::string_view value);
  // Ok, or why the head must be refused (kInvalidArgument, reason "BadRequestFraming": a 400 after
  // which the connection closes, since where the next request starts is unknown). Refused: a
  // Transfer-Encoding other than exactly `chunked` (§6.3 asks 400 when the final coding is not
  // chunked; the hub decodes no other coding, so `gzip, chunked` is refused too rather than handed
  // on still encoded), Transfer-Encoding with Content-Length, more than one Content-Length (even
  // equal ones), a Content-Length that is not plain digits, and Transfer-Encoding in HTTP/1.0
  // (§6.1). `http_minor`: the 1.x of the request line.
  Status Verdict(int http_minor) const;

 private:
  int content_lengths_ = 0;          // Content-Length fields seen
  bool content_length_bad_ = false;  // one that is not 1*DIGIT (a list "5, 5" included)
  int te_fields_ = 0;                // Transfer-Encoding fields seen
  int codings_ = 0;                  // their non-empty list elements
  bool other_coding_ = false;        // an element other than exactly "chunked"
};

// Whether `name` is one of the fields FramingCheck looks at (Content-Length, Transfer-Encoding): a
// path that only serves bodiless requests can decline any head that has one.
bool IsFramingField(std::string_view name);

// Whether a whole raw head (request line, fields, blank line) has such a field. The connection
// offers a ConnectionState's raw path (the proxy's fast lane, bodiless requests only) no head that
// has one: the general path checks its framing first.
bool HeadHasFramingField(std::string_view head);

}  // namespace spacehub::http
