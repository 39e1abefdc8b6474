// The commit route's NDJSON body (api/commit_body.h): a parsed commit written back as NDJSON
// (header, then each operation, file contents base64) parses to the same commit, and holds one
// operation per non-blank line after the header.
#include <nlohmann/json.hpp>
#include <string>
#include <variant>

#include "api/commit_body.h"
#include "core/crypto.h"
#include "fuzz/fuzz_check.h"

using namespace spacehub;

namespace {

nlohmann::json Line(const char* key, nlohmann::json value) {
  return {{"key", key}, {"value", std::move(value)}};
}

std::string Render(const service::CommitInput& in) {
  nlohmann::json header = {{"summary", in.summary}, {"description", in.description}};
  if (in.parent_commit) header["parentCommit"] = *in.parent_commit;
  std::string out = Line("header", header).dump() + "\n";
  for (const auto& op : in.ops) {
    nlohmann::json line;
    if (auto* f = std::get_if<repo::AddFile>(&op)) {
      line =
          Line("file",
               {{"path", f->path}, {"content", Base64Encode(f->content)}, {"encoding", "base64"}});
    } else if (auto* l = std::get_if<service::CommitLfsFile>(&op)) {
      nlohmann::json v = {{"path", l->path}, {"oid", l->oid}, {"algo", "sha256"}};
      if (l->size) v["size"] = *l->size;
      line = Line("lfsFile", v);
    } else if (auto* d = std::get_if<repo::DeleteFile>(&op)) {
      line = Line("deletedFile", {{"path", d->path}});
    } else if (auto* d = std::get_if<repo::DeleteFolder>(&op)) {
      line = Line("deletedFolder", {{"path", d->path}});
    }
    // Every string came out of a JSON parse: valid UTF-8, so a strict dump cannot throw.
    out += line.dump() + "\n";
  }
  return out;
}

void CheckSame(const service::CommitInput& a, const service::CommitInput& b) {
  FUZZ_CHECK(a.summary == b.summary && a.description == b.description);
  FUZZ_CHECK(a.parent_commit == b.parent_commit);
  FUZZ_CHECK(a.ops.size() == b.ops.size());
  for (size_t i = 0; i < a.ops.size(); ++i) {
    FUZZ_CHECK(a.ops[i].index() == b.ops[i].index());
    if (auto* f = std::get_if<repo::AddFile>(&a.ops[i])) {
      const auto& g = std::get<repo::AddFile>(b.ops[i]);
      FUZZ_CHECK(f->path == g.path && f->content == g.content);
    } else if (auto* l = std::get_if<service::CommitLfsFile>(&a.ops[i])) {
      const auto& m = std::get<service::CommitLfsFile>(b.ops[i]);
      FUZZ_CHECK(l->path == m.path && l->oid == m.oid && l->size == m.size);
    } else if (auto* d = std::get_if<repo::DeleteFile>(&a.ops[i])) {
      FUZZ_CHECK(d->path == std::get<repo::DeleteFile>(b.ops[i]).path);
    } else if (auto* d = std::get_if<repo::DeleteFolder>(&a.ops[i])) {
      FUZZ_CHECK(d->path == std::get<repo::DeleteFolder>(b.ops[i]).path);
    }
  }
}

size_t NonBlankLines(std::string_view body) {
  size_t n = 0;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t end = body.find('\n', pos);
    if (end == std::string_view::npos) end = body.size();
    if (body.substr(pos, end - pos).find_first_not_of(" \t\r") != std::string_view::npos) ++n;
    pos = end + 1;
  }
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body = spacehub::fuzz::AsText(data, size);
  auto in = api::ParseCommitBody(body);
  if (!in.ok()) {
    FUZZ_CHECK(in.status().code() == Code::kInvalidArgument);
    return 0;
  }
  FUZZ_CHECK(in->ops.size() + 1 == NonBlankLines(body));
  for (const auto& op : in->ops) {
    if (auto* l = std::get_if<service::CommitLfsFile>(&op)) {
      FUZZ_CHECK(!l->size || *l->size <= static_cast<uint64_t>(INT64_MAX));
    }
  }
  const std::string rendered = Render(*in);
  auto again = api::ParseCommitBody(rendered);
  FUZZ_CHECK(again.ok());
  CheckSame(*in, *again);
  return 0;
}
