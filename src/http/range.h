// Parsing of a single-range `Range: bytes=...` header against a body of known size (RFC 9110 §14).
// Internal to the http layer. Pure function; safe from any thread.
#pragma once

#include <cstdint>
#include <string_view>

namespace spacehub::http {

struct ByteRange {
  enum class Kind {
    kIgnore,         // no usable Range (absent, other unit, malformed, multiple ranges): send 200
    kSatisfiable,    // send 206 with [first, first + length)
    kUnsatisfiable,  // send 416 with `Content-Range: bytes */total`
  };
  Kind kind = Kind::kIgnore;
  uint64_t first = 0;
  uint64_t length = 0;
};

ByteRange ParseRange(std::string_view header, uint64_t total);

}  // namespace spacehub::http
