// See ndjson.h.
#include "client/ndjson.h"

#include <nlohmann/json.hpp>

namespace spacehub::client::detail {

std::string BuildCommitNdjson(const std::string& summary, const std::string& description,
                              const std::string& parent_commit, const std::vector<NdjsonOp>& ops) {
  nlohmann::json header = {{"summary", summary}, {"description", description}};
  if (!parent_commit.empty()) header["parentCommit"] = parent_commit;
  std::string out = nlohmann::json{{"key", "header"}, {"value", header}}.dump() + "\n";
  for (const NdjsonOp& op : ops) {
    nlohmann::json line;
    switch (op.kind) {
      case NdjsonOp::Kind::kFile:
        line = {
            {"key", "file"},
            {"value", {{"content", op.content_base64}, {"path", op.path}, {"encoding", "base64"}}}};
        break;
      case NdjsonOp::Kind::kLfsFile:
        line = {{"key", "lfsFile"},
                {"value",
                 {{"path", op.path}, {"algo", "sha256"}, {"oid", op.sha256}, {"size", op.size}}}};
        break;
      case NdjsonOp::Kind::kDeletedFile:
        line = {{"key", "deletedFile"}, {"value", {{"path", op.path}}}};
        break;
      case NdjsonOp::Kind::kDeletedFolder:
        line = {{"key", "deletedFolder"}, {"value", {{"path", op.path}}}};
        break;
    }
    out += line.dump() + "\n";
  }
  return out;
}

}  // namespace spacehub::client::detail
