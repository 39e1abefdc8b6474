// The commit request body (spec §5.4): one JSON object per line, "\n"-terminated — a header line
// then one line per operation. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace spacehub::client::detail {

struct NdjsonOp {
  enum class Kind { kFile, kLfsFile, kDeletedFile, kDeletedFolder };
  Kind kind = Kind::kFile;
  std::string path;
  std::string content_base64;  // kFile
  std::string sha256;          // kLfsFile
  int64_t size = 0;            // kLfsFile
};

std::string BuildCommitNdjson(const std::string& summary, const std::string& description,
                              const std::string& parent_commit, const std::vector<NdjsonOp>& ops);

}  // namespace spacehub::client::detail
