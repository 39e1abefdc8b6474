// multipart/form-data request bodies (RFC 7578 over RFC 2046's framing): what a browser sends for a
// form with a file input. The whole body is in memory already (its size bounded by the route's
// BodyRules); the parser only finds the parts in it, without copying their data.
//
// Strict on purpose: a body that is not exactly what a browser sends (a missing closing boundary, a
// header line with a bare CR or LF, a part without `Content-Disposition: form-data; name=...`) is
// refused whole with kInvalidArgument, never half-read.
//
// Stateless; thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace spacehub::http {

struct FormPart {
  std::string name;
  // Present for file inputs, as the browser sent it (possibly empty when no file was chosen). Not a
  // safe path: the caller reduces it to one. Never contains NUL.
  std::optional<std::string> filename;
  // The part's Content-Type, "text/plain" when it has none (RFC 7578 4.4).
  std::string content_type;
  // Points into the body passed to ParseMultipart: valid while that body is.
  std::string_view data;
};

struct MultipartLimits {
  size_t max_parts = 1000;
  // The header block of one part, without the blank line that ends it.
  size_t max_header_bytes = 8 * 1024;
};

// The boundary of a `multipart/form-data; boundary=...` Content-Type (quoted or not, 1 to 70
// characters from RFC 2046's set). kInvalidArgument for any other media type or a bad boundary.
Result<std::string> MultipartBoundary(std::string_view content_type_header);

// The parts of `body`, in order. The preamble before the first boundary and the epilogue after the
// closing one are ignored.
Result<std::vector<FormPart>> ParseMultipart(std::string_view content_type_header,
                                             std::string_view body, const MultipartLimits& limits);

}  // namespace spacehub::http
