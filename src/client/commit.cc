// Uploads (spec §5): preupload → LFS batch + basic/multipart PUT (+ verify) → NDJSON commit.
// Files are hashed once and streamed from disk; nothing is held in memory but regular files'
// base64 payloads (the Hub decides "regular" for small text files).
#include <algorithm>
#include <filesystem>
#include <map>

#include "client/cache_layout.h"
#include "client/client_impl.h"
#include "client/error_mapping.h"
#include "client/hashing.h"
#include "client/lfs_parts.h"
#include "client/ndjson.h"
#include "client/url.h"
#include "spacehub/hub_client.h"

namespace spacehub::client {

using detail::HttpRequest;
using detail::HttpResponse;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

constexpr size_t kPreuploadChunk = 256;
constexpr const char* kLfsType = "application/vnd.git-lfs+json";

struct PreparedAdd {
  const CommitOperation* op = nullptr;
  detail::FileDigest digest;
  bool lfs = false;
  bool skip = false;  // ignored by the server, or unchanged
};

std::string LoadSmall(const CommitOperation& op) {
  if (op.content) return *op.content;
  std::FILE* f = std::fopen(op.local_path.c_str(), "rb");
  if (!f) throw LocalError(ErrorKind::kLocalIo, "cannot read " + op.local_path);
  std::string out;
  char buf[65536];
  while (size_t n = std::fread(buf, 1, sizeof buf, f)) out.append(buf, n);
  std::fclose(f);
  return out;
}

int64_t JsonInt(const json& v) {
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_string()) return std::stoll(v.get<std::string>());
  return 0;
}

}  // namespace

// One LFS object through the batch API's chosen transfer.
static void UploadLfsObject(const HubClient::Impl& impl, const PreparedAdd& add,
                            const json& object) {
  const std::string& oid = add.digest.sha256;
  uint64_t size = add.digest.size;
  if (auto err = object.find("error"); err != object.end()) {
    throw HttpError(ErrorKind::kHttp, static_cast<int>(err->value("code", 0)), "",
                    "LFS batch refused " + add.op->path_in_repo + ": " + err->value("message", ""),
                    "", "");
  }
  auto actions = object.find("actions");
  if (actions == object.end() || !actions->contains("upload")) return;  // already stored
  const json& upload = (*actions)["upload"];
  std::string href = upload.value("href", "");
  const json header = upload.value("header", json::object());
  const ProgressFn* progress = impl.options().progress ? &impl.options().progress : nullptr;

  auto body_for = [&](HttpRequest& r, uint64_t offset, uint64_t length) {
    if (add.op->content) {
      r.body = add.op->content->substr(offset, length);
    } else {
      r.upload_file = add.op->local_path;
      r.upload_offset = offset;
      r.upload_length = length;
    }
    r.progress = progress;
    r.progress_label = add.op->path_in_repo;
    r.progress_base = offset;
    r.progress_total = size;
  };

  if (header.contains("chunk_size")) {
    // Multipart: one pre-signed URL per part, then a completion POST (no auth on either).
    uint64_t chunk = static_cast<uint64_t>(JsonInt(header["chunk_size"]));
    if (chunk == 0) throw LocalError(ErrorKind::kInvalidArgument, "LFS chunk_size is 0");
    std::vector<std::string> part_urls = detail::SortedPartUrls(header);
    uint64_t parts = (size + chunk - 1) / chunk;
    if (part_urls.size() != parts) {
      throw LocalError(ErrorKind::kInvalidArgument,
                       "LFS multipart answer has " + std::to_string(part_urls.size()) +
                           " part URLs for " + std::to_string(parts) + " parts");
    }
    json done = json::array();
    for (uint64_t i = 1; i <= parts; ++i) {
      std::string key = std::to_string(i);
      HttpRequest r;
      r.method = "PUT";
      r.url = part_urls[i - 1];
      uint64_t offset = (i - 1) * chunk;
      body_for(r, offset, std::min(chunk, size - offset));
      HttpResponse resp = detail::PerformWithRetry(r, detail::RetryPolicy::kAll);
      detail::RaiseForStatus(resp);
      std::string etag = resp.Header("etag");
      if (etag.empty()) {
        throw LocalError(ErrorKind::kInvalidArgument, "LFS part " + key + " answer has no ETag");
      }
      done.push_back({{"partNumber", i}, {"etag", etag}});
    }
    HttpRequest r;
    r.method = "POST";
    r.url = href;
    r.headers = {std::string("Accept: ") + kLfsType, std::string("Content-Type: ") + kLfsType};
    r.body = json{{"oid", oid}, {"parts", done}}.dump();
    detail::RaiseForStatus(detail::PerformWithRetry(r, detail::RetryPolicy::kAll));
  } else {
    // Basic: one PUT of the raw bytes, without our Authorization (the href carries its own).
    HttpRequest r;
    r.method = "PUT";
    r.url = href;
    r.headers = {"Content-Type: application/octet-stream"};
    body_for(r, 0, size);
    detail::RaiseForStatus(detail::PerformWithRetry(r, detail::RetryPolicy::kAll));
  }
  if (auto verify = actions->find("verify"); verify != actions->end()) {
    HttpRequest r = impl.Make("POST", verify->value("href", ""));
    r.headers.push_back(std::string("Accept: ") + kLfsType);
    r.headers.push_back(std::string("Content-Type: ") + kLfsType);
    r.body = json{{"oid", oid}, {"size", size}}.dump();
    detail::RaiseForStatus(detail::PerformWithRetry(r, detail::RetryPolicy::kAll));
  }
}

CommitInfo HubClient::CreateCommit(const std::string& repo_id, RepoType type,
                                   const std::vector<CommitOperation>& operations,
                                   const std::string& commit_message, const std::string& revision,
                                   const std::string& commit_description,
                                   const std::string& parent_commit) const {
  impl_->RequireToken("create_commit");
  detail::ValidateRepoId(repo_id);
  if (commit_message.empty()) {
    throw LocalError(ErrorKind::kInvalidArgument, "a commit needs a message");
  }
  const std::string& ep = impl_->config().endpoint;
  std::string api = detail::ApiRepoUrl(ep, type, repo_id);
  std::string rev = revision.empty() ? "main" : revision;

  std::vector<PreparedAdd> adds;
  for (const auto& op : operations) {
    std::string p = op.path_in_repo;
    if (op.kind == CommitOperation::Kind::kDelete && !p.empty() && p.back() == '/') p.pop_back();
    detail::ValidatePathInRepo(p);
    if (op.kind != CommitOperation::Kind::kAdd) continue;
    PreparedAdd a;
    a.op = &op;
    a.digest = op.content ? detail::DigestBytes(*op.content) : detail::DigestFile(op.local_path);
    adds.push_back(std::move(a));
  }

  // 1. preupload: the server says regular or LFS, and which files it already has.
  for (size_t start = 0; start < adds.size(); start += kPreuploadChunk) {
    size_t end = std::min(adds.size(), start + kPreuploadChunk);
    json files = json::array();
    std::map<std::string, PreparedAdd*> by_path;
    for (size_t i = start; i < end; ++i) {
      files.push_back({{"path", adds[i].op->path_in_repo},
                       {"sample", detail::Base64(adds[i].digest.sample)},
                       {"size", adds[i].digest.size}});
      by_path[adds[i].op->path_in_repo] = &adds[i];
    }
    json answer = impl_->CallJson("POST", api + "/preupload/" + detail::Quote(rev, false),
                                  json{{"files", files}}, detail::RetryPolicy::kAll);
    for (const auto& f : answer.value("files", json::array())) {
      auto it = by_path.find(f.value("path", ""));
      if (it == by_path.end()) continue;
      PreparedAdd& a = *it->second;
      a.lfs = f.value("uploadMode", "regular") == "lfs" && a.digest.size > 0;
      a.skip = f.value("shouldIgnore", false);
      std::string remote =
          f.contains("oid") && f["oid"].is_string() ? f["oid"].get<std::string>() : "";
      if (!remote.empty() && remote == (a.lfs ? a.digest.sha256 : a.digest.git_sha1)) a.skip = true;
    }
  }

  // 2. LFS objects.
  std::vector<const PreparedAdd*> lfs;
  for (const auto& a : adds) {
    if (a.lfs && !a.skip) lfs.push_back(&a);
  }
  for (size_t start = 0; start < lfs.size(); start += kPreuploadChunk) {
    size_t end = std::min(lfs.size(), start + kPreuploadChunk);
    json objects = json::array();
    std::map<std::string, const PreparedAdd*> by_oid;
    for (size_t i = start; i < end; ++i) {
      objects.push_back({{"oid", lfs[i]->digest.sha256}, {"size", lfs[i]->digest.size}});
      by_oid[lfs[i]->digest.sha256] = lfs[i];
    }
    HttpRequest r =
        impl_->Make("POST", detail::RepoWebUrl(ep, type, repo_id) + ".git/info/lfs/objects/batch");
    r.headers.push_back(std::string("Accept: ") + kLfsType);
    r.headers.push_back(std::string("Content-Type: ") + kLfsType);
    r.body = json{{"operation", "upload"},
                  {"transfers", {"basic", "multipart"}},
                  {"objects", objects},
                  {"hash_algo", "sha256"},
                  {"ref", {{"name", rev}}}}
                 .dump();
    HttpResponse resp = detail::PerformWithRetry(r, detail::RetryPolicy::kAll);
    detail::RaiseForStatus(resp);
    json answer = json::parse(resp.body, nullptr, false);
    for (const auto& o : answer.value("objects", json::array())) {
      auto it = by_oid.find(o.value("oid", ""));
      if (it != by_oid.end()) UploadLfsObject(*impl_, *it->second, o);
    }
  }

  // 3. the commit itself.
  std::vector<detail::NdjsonOp> lines;
  size_t add_index = 0;
  for (const auto& op : operations) {
    detail::NdjsonOp line;
    if (op.kind == CommitOperation::Kind::kDelete) {
      bool folder = !op.path_in_repo.empty() && op.path_in_repo.back() == '/';
      line.kind =
          folder ? detail::NdjsonOp::Kind::kDeletedFolder : detail::NdjsonOp::Kind::kDeletedFile;
      line.path = op.path_in_repo;
      lines.push_back(std::move(line));
      continue;
    }
    const PreparedAdd& a = adds[add_index++];
    if (a.skip) continue;
    line.path = op.path_in_repo;
    if (a.lfs) {
      line.kind = detail::NdjsonOp::Kind::kLfsFile;
      line.sha256 = a.digest.sha256;
      line.size = static_cast<int64_t>(a.digest.size);
    } else {
      line.kind = detail::NdjsonOp::Kind::kFile;
      line.content_base64 = detail::Base64(LoadSmall(op));
    }
    lines.push_back(std::move(line));
  }
  CommitInfo info;
  if (lines.empty()) {
    info.empty = true;
    info.commit_oid = GetRepoInfo(repo_id, type, rev).sha;
    info.commit_url = detail::RepoWebUrl(ep, type, repo_id) + "/commit/" + info.commit_oid;
    return info;
  }
  HttpRequest r = impl_->Make("POST", api + "/commit/" + detail::Quote(rev, false));
  r.headers.push_back("Content-Type: application/x-ndjson");
  r.body = detail::BuildCommitNdjson(commit_message, commit_description, parent_commit, lines);
  HttpResponse resp = detail::Perform(r);
  detail::RaiseForStatus(resp);
  json j = json::parse(resp.body, nullptr, false);
  if (j.is_object()) {
    info.commit_url = j.value("commitUrl", "");
    info.commit_oid = j.value("commitOid", "");
    if (j.contains("pullRequestUrl") && j["pullRequestUrl"].is_string()) {
      info.pr_url = j["pullRequestUrl"];
    }
  }
  return info;
}

CommitInfo HubClient::UploadFile(const std::string& repo_id, RepoType type,
                                 const std::string& local_path, const std::string& path_in_repo,
                                 const std::string& commit_message,
                                 const std::string& revision) const {
  std::string msg =
      commit_message.empty() ? "Upload " + path_in_repo + " with spacehub" : commit_message;
  return CreateCommit(repo_id, type, {CommitOperation::AddFile(path_in_repo, local_path)}, msg,
                      revision);
}

CommitInfo HubClient::UploadFolder(const std::string& repo_id, RepoType type,
                                   const std::string& folder_path, const std::string& path_in_repo,
                                   const std::string& commit_message,
                                   const std::string& revision) const {
  std::error_code ec;
  if (!fs::is_directory(folder_path, ec)) {
    throw LocalError(ErrorKind::kInvalidArgument, folder_path + " is not a directory");
  }
  std::string prefix = path_in_repo;
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  std::vector<std::pair<std::string, std::string>> files;  // (path in repo, local path)
  for (auto it = fs::recursive_directory_iterator(folder_path,
                                                  fs::directory_options::follow_directory_symlink);
       it != fs::recursive_directory_iterator(); ++it) {
    std::string rel = fs::relative(it->path(), folder_path).generic_string();
    if (it->is_directory() && (rel == ".git" || rel == ".cache/huggingface")) {
      it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file()) continue;
    files.emplace_back(prefix.empty() ? rel : prefix + "/" + rel, it->path().string());
  }
  std::sort(files.begin(), files.end());
  std::vector<CommitOperation> ops;
  for (auto& [repo_path, local] : files) ops.push_back(CommitOperation::AddFile(repo_path, local));
  std::string msg = commit_message.empty() ? "Upload folder using spacehub" : commit_message;
  return CreateCommit(repo_id, type, ops, msg, revision);
}

}  // namespace spacehub::client
