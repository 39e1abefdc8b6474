// GzipDecoder: streaming decompression of a `Content-Encoding: gzip` request body (git sends its
// larger upload-pack requests gzipped). Input arrives in arbitrary pieces; output is handed to a
// callback piece by piece, so nothing is ever held whole.
// Thread-safety: one thread at a time.
#pragma once

#include <functional>
#include <memory>
#include <string_view>

#include "core/result.h"

namespace spacehub::http {

class GzipDecoder final {
 public:
  using Output = std::function<Status(std::string_view)>;
  explicit GzipDecoder(Output out);
  ~GzipDecoder();
  GzipDecoder(const GzipDecoder&) = delete;
  GzipDecoder& operator=(const GzipDecoder&) = delete;

  // Corrupt data is kInvalidArgument; bytes after the end of the gzip stream are ignored.
  [[nodiscard]] Status Feed(std::string_view in);
  // kInvalidArgument when the stream stopped before its end.
  [[nodiscard]] Status Finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
  Output out_;
};

}  // namespace spacehub::http
