// The first pass of a Xet upload: a file's content-defined chunks and their hashes (xet/chunker.h,
// xet::ChunkHash), read once and kept as a list of (hash, offset, length) so the second pass can
// pack any chunk it needs without hashing again. Thread-safe: no shared state.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "client/xet_plan.h"

namespace spacehub::client::detail {

// Throws LocalError(kLocalIo) when the file cannot be read.
std::vector<FileChunk> ChunkFile(const std::string& path);
// The same pass, handing each chunk to `on_chunk` as soon as it is cut and hashed.
void ChunkFileInto(const std::string& path, const std::function<void(const FileChunk&)>& on_chunk);
std::vector<FileChunk> ChunkBytes(std::string_view data);

}  // namespace spacehub::client::detail
