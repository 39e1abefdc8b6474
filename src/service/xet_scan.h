// ScanXetFile: a Xet-stored file's bytes, front to back, handed to a sink, with the disk reads
// running ahead on a thread of their own. For the passes over a whole file: the SHA-256 check of
// a shard upload and a Space build's copy into the LFS store. XetFileReader (the ranged reads of
// resolve) reads one chunk at a time and left the disk idle while each one was hashed: 1.4–2.8 s
// for 1 GiB against 0.6 s for the hash alone.
//
// Reads go around the page cache (O_DIRECT where the file system allows it) in blocks of whole
// chunks of up to 8 MiB: the xorbs of a fresh upload were written the same way and are not
// cached, and one pass over a file has no use for a cached copy. Raw chunks reach the sink
// straight from the read buffer; compressed ones are decoded first.
//
// Threads: blocks the caller, which runs `sink` for each piece in order; one private reader thread
// per call, joined before it returns. Touches no shared state but the database (read) and the
// xorb files.
#pragma once

#include <functional>
#include <string_view>

#include "core/status.h"
#include "db/xet_store.h"
#include "service/hub.h"

namespace spacehub::service {

// kNotFound when a xorb of the file is gone; kInternal on corrupt records or a short read; else
// the first error `sink` returns (the scan stops there).
Status ScanXetFile(Hub& hub, const db::XetFileRow& file,
                   const std::function<Status(std::string_view)>& sink);

}  // namespace spacehub::service
