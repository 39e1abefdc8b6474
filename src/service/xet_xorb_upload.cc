#include "service/xet_xorb_upload.h"

#include <string>
#include <utility>
#include <vector>

#include "core/mutex.h"
#include "service/xet_records.h"

namespace spacehub::service {

XorbUpload::XorbUpload(Hub& hub, XetGrant grant, xet::XetHash expected,
                       std::unique_ptr<repo::XorbWriter> writer)
    : hub_(hub), grant_(std::move(grant)), expected_(expected), writer_(std::move(writer)) {}

Status XorbUpload::Write(std::string_view piece) {
  if (!failed_.ok()) return failed_;
  Result<size_t> chunk_bytes = parser_.Feed(piece);
  Status st = chunk_bytes.status();
  // Only the chunks are kept: a footer is the client's index, rebuilt here from the data.
  if (st.ok() && writer_ && *chunk_bytes > 0) st = writer_->Append(piece.substr(0, *chunk_bytes));
  if (!st.ok()) {
    writer_.reset();  // the temp file goes now, not when the connection drops the upload
    failed_ = st;
  }
  return st;
}

Result<bool> XorbUpload::Finish() {
  if (!failed_.ok()) return failed_;
  failed_ = Status::Internal("xorb upload: Finish was called already");
  std::unique_ptr<repo::XorbWriter> writer = std::move(writer_);
  SH_ASSIGN_OR_RETURN(xet::XorbInfo info, parser_.Finish());
  if (info.hash != expected_) {
    return Status::InvalidArgument("The xorb's chunks hash to " + info.hash.ToHex() + ", not " +
                                   expected_.ToHex());
  }
  const std::string hex = expected_.ToHex();
  // The bytes and the row as one step against the sweep (XorbStore::HashMutex).
  MutexLock lock(hub_.xorbs.HashMutex(hex));
  bool inserted = false;
  if (writer) {
    SH_ASSIGN_OR_RETURN(inserted, writer->Commit(hex));
  } else if (!hub_.xorbs.Exists(hex)) {
    // Stored when the upload began, so not written again, and swept since.
    return Status::Unavailable("The xorb was removed while it was uploaded; send it again");
  }
  db::XorbRow row;
  row.hash = hex;
  row.stored_bytes = info.chunk_bytes;
  row.unpacked_bytes = info.unpacked_bytes;
  row.num_chunks = static_cast<uint32_t>(info.chunks.size());
  row.chunks = PackChunks(info.chunks);
  row.created_at = hub_.clock.NowMillis() / 1000;
  std::vector<std::string> chunk_hashes;
  chunk_hashes.reserve(info.chunks.size());
  for (const auto& c : info.chunks) chunk_hashes.push_back(c.hash.ToHex());
  SH_ASSIGN_OR_RETURN(bool new_row, hub_.db.xet().AddXorb(row, chunk_hashes, grant_.repo_id));
  return inserted || new_row;
}

}  // namespace spacehub::service
