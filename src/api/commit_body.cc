// The NDJSON body of the commit route; see commit_body.h.
#include "api/commit_body.h"

#include "api/json_body.h"
#include "core/crypto.h"

namespace spacehub::api {
namespace {

// One NDJSON line → one typed operation. The header line fills `in` instead.
Status ParseCommitLine(const nlohmann::json& line, size_t index, service::CommitInput& in) {
  if (!line.is_object()) return Status::InvalidArgument("each line must be a JSON object");
  SH_ASSIGN_OR_RETURN(std::string key, RequireString(line, "key"));
  auto value_it = line.find("value");
  if (value_it == line.end() || !value_it->is_object()) {
    return Status::InvalidArgument("'value' must be an object");
  }
  const nlohmann::json& v = *value_it;
  if (key == "header") {
    if (index != 0) return Status::InvalidArgument("the header must be the first line");
    SH_ASSIGN_OR_RETURN(in.summary, RequireString(v, "summary"));
    SH_ASSIGN_OR_RETURN(auto description, OptionalString(v, "description"));
    in.description = description.value_or("");
    SH_ASSIGN_OR_RETURN(in.parent_commit, OptionalString(v, "parentCommit"));
    return Status::Ok();
  }
  if (index == 0) return Status::InvalidArgument("the first line must be the header");
  SH_ASSIGN_OR_RETURN(std::string path, RequireString(v, "path"));
  if (key == "file") {
    SH_ASSIGN_OR_RETURN(std::string content, RequireString(v, "content"));
    SH_ASSIGN_OR_RETURN(auto encoding, OptionalString(v, "encoding"));
    if (!encoding || *encoding == "base64") {
      auto decoded = Base64Decode(content);
      if (!decoded.ok()) return Status::InvalidArgument("content of " + path + " is not base64");
      content = std::move(*decoded);
    } else if (*encoding != "utf-8" && *encoding != "utf8") {
      return Status::InvalidArgument("unknown encoding '" + *encoding + "'");
    }
    in.ops.push_back(repo::AddFile{std::move(path), std::move(content)});
  } else if (key == "lfsFile") {
    SH_ASSIGN_OR_RETURN(auto algo, OptionalString(v, "algo"));
    if (algo && *algo != "sha256") return Status::InvalidArgument("LFS algo must be sha256");
    service::CommitLfsFile f;
    f.path = std::move(path);
    SH_ASSIGN_OR_RETURN(f.oid, RequireString(v, "oid"));
    SH_ASSIGN_OR_RETURN(auto size, OptionalInt(v, "size"));
    if (size) {
      if (*size < 0) return Status::InvalidArgument("negative LFS size");
      f.size = static_cast<uint64_t>(*size);
    }
    in.ops.push_back(std::move(f));
  } else if (key == "deletedFile") {
    in.ops.push_back(repo::DeleteFile{std::move(path)});
  } else if (key == "deletedFolder") {
    in.ops.push_back(repo::DeleteFolder{std::move(path)});
  } else {
    return Status::InvalidArgument("unknown operation '" + key + "'");
  }
  return Status::Ok();
}

}  // namespace

Result<service::CommitInput> ParseCommitBody(std::string_view body) {
  service::CommitInput in;
  size_t index = 0;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t end = body.find('\n', pos);
    if (end == std::string_view::npos) end = body.size();
    std::string_view text = body.substr(pos, end - pos);
    pos = end + 1;
    if (text.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    nlohmann::json line = nlohmann::json::parse(text, nullptr, false);
    if (line.is_discarded()) {
      return Status::InvalidArgument("line " + std::to_string(index + 1) + " is not valid JSON");
    }
    Status st = ParseCommitLine(line, index, in);
    if (!st.ok()) return std::move(st).Annotate("line " + std::to_string(index + 1));
    ++index;
  }
  if (index == 0) return Status::InvalidArgument("the commit body is empty: send a header line");
  return in;
}

}  // namespace spacehub::api
