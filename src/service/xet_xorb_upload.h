// XorbUpload: one Xet xorb upload (POST /cas/v1/xorbs/default/<hash>) taken as its body streams
// in, so the hub never holds the 64 MiB body: each piece is checked by xet::XorbStreamParser and
// its chunk bytes (everything before a footer) go to a repo::XorbWriter as they arrive. Finish
// checks the recomputed xorb hash against the one the URL named, commits the file and records the
// xorb (XetService::UploadXorb is this fed the whole body). Any malformed byte, a wrong hash or
// more than xet::kMaxXorbBytes is kInvalidArgument with the reason, and nothing is kept: the
// writer's temp file goes with the upload, and a xorb is committed and recorded only at Finish.
// Created by XetService::BeginXorb; one owner (the connection's thread), one Write at a time.
#pragma once

#include <memory>
#include <string_view>

#include "core/result.h"
#include "repo/xorb_store.h"
#include "service/hub.h"
#include "service/xet_grant.h"
#include "xet/xet_hash.h"
#include "xet/xorb_stream.h"

namespace spacehub::service {

class XorbUpload final {
 public:
  // `writer`: null when the xorb was stored already (the bytes are checked, not written again).
  XorbUpload(Hub& hub, XetGrant grant, xet::XetHash expected,
             std::unique_ptr<repo::XorbWriter> writer);
  XorbUpload(const XorbUpload&) = delete;
  XorbUpload& operator=(const XorbUpload&) = delete;

  // The next piece of the body; an error ends the upload (every later call repeats it).
  Status Write(std::string_view piece);
  // The body is complete: true when something new was stored or recorded (was_inserted).
  Result<bool> Finish();

 private:
  Hub& hub_;
  const XetGrant grant_;
  const xet::XetHash expected_;
  xet::XorbStreamParser parser_;
  std::unique_ptr<repo::XorbWriter> writer_;
  Status failed_;
};

}  // namespace spacehub::service
