// The early half of a Xet upload: a big file's xorbs are posted while the file is still being
// chunked, window by window (up to one xorb's worth of chunks: the dedup API is asked about the
// window, then its new chunks go as xorbs), instead of after the whole file was hashed and the
// LFS batch answered. The SHA-256 the batch needs runs beside it; the shard, which names the file
// by that SHA-256, is sent afterwards by UploadXetFiles. Chunking and sending overlap, so the
// cores the hub and the client share stay busy.
// Threads: runs on the caller's thread (the chunking) plus one sender thread it joins.
#pragma once

#include <string>
#include <vector>

#include "client/xet_upload.h"

namespace spacehub::client::detail {

// The file's chunks. `sent` gets the plan of what was sent, and `sent_ok` whether all of it went
// (when not, the caller uploads the file the usual way; what did go is found by dedup). Throws
// LocalError when the file cannot be read.
std::vector<FileChunk> ChunkAndSend(const std::string& path, const XetCasAuth& auth, bool compress,
                                    SentXorbs& sent, bool& sent_ok);

}  // namespace spacehub::client::detail
