#include "http/gzip_decoder.h"

#include <zlib.h>

namespace spacehub::http {

struct GzipDecoder::State {
  z_stream z{};
  bool ok = false;
  bool done = false;
};

GzipDecoder::GzipDecoder(Output out) : state_(std::make_unique<State>()), out_(std::move(out)) {
  // 16 + MAX_WBITS: a gzip header and trailer (RFC 1952) around the deflate data.
  state_->ok = inflateInit2(&state_->z, 16 + MAX_WBITS) == Z_OK;
}

GzipDecoder::~GzipDecoder() {
  if (state_->ok) inflateEnd(&state_->z);
}

Status GzipDecoder::Feed(std::string_view in) {
  if (!state_->ok) return Status::Internal("zlib initialisation failed");
  z_stream& z = state_->z;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  char buf[64 * 1024];
  while (z.avail_in > 0 && !state_->done) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    int rc = inflate(&z, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
      return Status::InvalidArgument("Malformed gzip request body");
    }
    size_t produced = sizeof buf - z.avail_out;
    if (produced > 0) SH_TRY(out_(std::string_view(buf, produced)));
    if (rc == Z_STREAM_END) state_->done = true;
    if (rc == Z_BUF_ERROR && produced == 0) break;
  }
  return Status::Ok();
}

Status GzipDecoder::Finish() {
  if (!state_->done) return Status::InvalidArgument("Truncated gzip request body");
  return Status::Ok();
}

}  // namespace spacehub::http
