// The bytes of a Xet-stored file as an HTTP body (a sized source: Content-Length and Range work as
// for a file), for resolve, raw LFS transfers and any client that does not speak Xet. Owned by the
// connection that sends it; one thread at a time.
#pragma once

#include <memory>

#include "http/response.h"
#include "service/xet_reader.h"

namespace spacehub::api {

class XetFileBody final : public http::SizedSource {
 public:
  explicit XetFileBody(std::unique_ptr<service::XetFileReader> reader)
      : reader_(std::move(reader)) {}
  uint64_t Length() const override { return reader_->Length(); }
  void Narrow(uint64_t offset, uint64_t length) override { reader_->Narrow(offset, length); }
  Result<size_t> Read(char* buf, size_t capacity) override { return reader_->Read(buf, capacity); }

 private:
  std::unique_ptr<service::XetFileReader> reader_;
};

}  // namespace spacehub::api
