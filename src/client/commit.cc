// Uploads (spec §5): preupload → LFS batch + basic/multipart PUT (+ verify) → NDJSON commit.
// Files are hashed once and streamed from disk; nothing is held in memory but regular files'
// base64 payloads (the Hub decides "regular" for small text files). Hashing and the LFS transfers
// run on up to ClientOptions::max_workers threads (huggingface_hub uploads 5 at a time); the
// commit itself is one request at the end, so a failure anywhere before it changes nothing.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include "client/cache_layout.h"
#include "client/client_impl.h"
#include "client/error_mapping.h"
#include "client/hashing.h"
#include "client/lfs_parts.h"
#include "client/ndjson.h"
#include "client/parallel.h"
#include "client/url.h"
#include "client/xet_chunks.h"
#include "client/xet_early_upload.h"
#include "client/xet_upload.h"
#include "spacehub/hub_client.h"

namespace spacehub::client {

using detail::HttpRequest;
using detail::HttpResponse;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

constexpr size_t kPreuploadChunk = 256;
// The Hub keeps files above 10 MB out of plain git, so their git blob id is never compared; it is
// computed later only if a server answers "regular" for a bigger file.
constexpr uint64_t kGitSha1MaxSize = 10ull << 20;
constexpr uint64_t kKeepMaxSize = 64u << 10;  // per file
constexpr uint64_t kKeepTotal = 64u << 20;    // per commit
constexpr const char* kLfsType = "application/vnd.git-lfs+json";

struct PreparedAdd {
  const CommitOperation* op = nullptr;
  detail::FileDigest digest;
  std::optional<std::string> content;  // a small file's bytes, kept from hashing
  bool lfs = false;
  bool skip = false;  // ignored by the server, or unchanged
  // Xet's content-defined chunks, found while hashing (when Xet is offered) so an upload the hub
  // answers with "xet" needs no second hashing pass.
  std::vector<detail::FileChunk> chunks;
  bool chunked = false;
  // Big files whose xorbs went while they were chunked (ChunkAndSend): only the shard is left.
  detail::SentXorbs sent;
  bool sent_ok = false;
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

// One LFS object as the batch API answered it: where its bytes go (one basic PUT, or one PUT per
// multipart part then a completion POST) and where to verify it.
struct LfsPlan {
  const PreparedAdd* add = nullptr;
  std::string href;                    // basic: the PUT URL; multipart: the completion URL
  std::vector<std::string> part_urls;  // multipart only
  uint64_t chunk = 0;
  std::vector<std::string> etags;  // per part, filled by the uploads
  std::string verify_href;         // "" = no verify action
};

// One unit of upload work: an object's basic PUT (part 0) or one multipart part (1-based).
struct LfsUnit {
  LfsPlan* plan;
  size_t part;
};

// Reads the batch answer for one object; nullopt when the server already has it.
static std::optional<LfsPlan> PlanLfsObject(const PreparedAdd& add, const json& object) {
  if (auto err = object.find("error"); err != object.end()) {
    throw HttpError(ErrorKind::kHttp, static_cast<int>(err->value("code", 0)), "",
                    "LFS batch refused " + add.op->path_in_repo + ": " + err->value("message", ""),
                    "", "");
  }
  auto actions = object.find("actions");
  if (actions == object.end() || !actions->contains("upload")) return std::nullopt;
  const json& upload = (*actions)["upload"];
  LfsPlan plan;
  plan.add = &add;
  plan.href = upload.value("href", "");
  const json header = upload.value("header", json::object());
  if (header.contains("chunk_size")) {
    plan.chunk = static_cast<uint64_t>(JsonInt(header["chunk_size"]));
    if (plan.chunk == 0) throw LocalError(ErrorKind::kInvalidArgument, "LFS chunk_size is 0");
    plan.part_urls = detail::SortedPartUrls(header);
    uint64_t parts = (add.digest.size + plan.chunk - 1) / plan.chunk;
    if (plan.part_urls.size() != parts) {
      throw LocalError(ErrorKind::kInvalidArgument,
                       "LFS multipart answer has " + std::to_string(plan.part_urls.size()) +
                           " part URLs for " + std::to_string(parts) + " parts");
    }
    plan.etags.resize(parts);
  }
  if (auto verify = actions->find("verify"); verify != actions->end()) {
    plan.verify_href = verify->value("href", "");
  }
  return plan;
}

// PUTs one unit's bytes (streamed from disk), without our Authorization: the URLs carry their own.
static void UploadLfsUnit(const LfsUnit& unit, detail::ProgressSum* sum) {
  const PreparedAdd& add = *unit.plan->add;
  uint64_t size = add.digest.size;
  uint64_t offset = 0, length = size;
  HttpRequest r;
  r.method = "PUT";
  if (unit.part == 0) {
    r.url = unit.plan->href;
    r.headers = {"Content-Type: application/octet-stream"};
  } else {
    r.url = unit.plan->part_urls[unit.part - 1];
    offset = (unit.part - 1) * unit.plan->chunk;
    length = std::min(unit.plan->chunk, size - offset);
  }
  if (add.op->content) {
    r.body = add.op->content->substr(offset, length);
  } else {
    r.upload_file = add.op->local_path;
    r.upload_offset = offset;
    r.upload_length = length;
    r.large_buffers = length >= (1u << 20);
  }
  ProgressFn part_progress;
  if (sum) {
    part_progress = sum->Part();
    r.progress = &part_progress;
    r.progress_label = add.op->path_in_repo;
    r.progress_total = length;
  }
  HttpResponse resp = detail::PerformWithRetry(r, detail::RetryPolicy::kAll);
  detail::RaiseForStatus(resp);
  if (unit.part > 0) {
    std::string etag = resp.Header("etag");
    if (etag.empty()) {
      throw LocalError(ErrorKind::kInvalidArgument,
                       "LFS part " + std::to_string(unit.part) + " answer has no ETag");
    }
    unit.plan->etags[unit.part - 1] = etag;
  }
}

// After its bytes: the multipart completion POST, then verify (with our token).
static void FinishLfsObject(const HubClient::Impl& impl, const LfsPlan& plan) {
  const std::string& oid = plan.add->digest.sha256;
  if (!plan.part_urls.empty()) {
    json done = json::array();
    for (size_t i = 0; i < plan.etags.size(); ++i) {
      done.push_back({{"partNumber", i + 1}, {"etag", plan.etags[i]}});
    }
    HttpRequest r;
    r.method = "POST";
    r.url = plan.href;
    r.headers = {std::string("Accept: ") + kLfsType, std::string("Content-Type: ") + kLfsType};
    r.body = json{{"oid", oid}, {"parts", done}}.dump();
    detail::RaiseForStatus(detail::PerformWithRetry(r, detail::RetryPolicy::kAll));
  }
  if (!plan.verify_href.empty()) {
    HttpRequest r = impl.Make("POST", plan.verify_href);
    r.headers.push_back(std::string("Accept: ") + kLfsType);
    r.headers.push_back(std::string("Content-Type: ") + kLfsType);
    r.body = json{{"oid", oid}, {"size", plan.add->digest.size}}.dump();
    detail::RaiseForStatus(detail::PerformWithRetry(r, detail::RetryPolicy::kAll));
  }
}

namespace {

// Where one CreateCommit call goes and how wide it may run.
struct CommitTarget {
  const HubClient::Impl& impl;
  RepoType type;
  const std::string& repo_id;
  std::string api;  // {ep}/api/{type}s/{id}
  std::string rev;
  int workers;
  bool use_xet;
  bool xet_compress;
};

// Validates every path (deletes included) before anything is sent; one PreparedAdd per add.
std::vector<PreparedAdd> CollectAdds(const std::vector<CommitOperation>& operations) {
  std::vector<PreparedAdd> adds;
  for (const auto& op : operations) {
    std::string p = op.path_in_repo;
    if (op.kind == CommitOperation::Kind::kDelete && !p.empty() && p.back() == '/') p.pop_back();
    detail::ValidatePathInRepo(p);
    if (op.kind != CommitOperation::Kind::kAdd) continue;
    PreparedAdd a;
    a.op = &op;
    adds.push_back(std::move(a));
  }
  return adds;
}

// Hashing reads every byte once; spread it over the workers (the disk is rarely the limit).
// Small files keep their bytes for the inline commit (at most kKeepTotal in all). When Xet is
// offered, files past the inline size are also chunked, on a second thread reading the same
// (by then cached) bytes: SHA-256 and chunking each cost about as much, so together they take the
// time of one.
void HashAdds(std::vector<PreparedAdd>& adds, int workers, bool xet,
              const detail::XetCasAuth* early, bool compress) {
  std::atomic<uint64_t> kept{0};
  detail::ParallelFor(adds.size(), workers, [&](size_t i) {
    PreparedAdd& a = adds[i];
    if (a.op->content) {
      a.digest = detail::DigestBytes(*a.op->content);
      if (xet && a.digest.size > kKeepMaxSize) {
        a.chunks = detail::ChunkBytes(*a.op->content);
        a.chunked = true;
      }
      return;
    }
    std::error_code ec;
    std::thread chunker;
    std::exception_ptr chunk_error;
    const uint64_t file_size = fs::file_size(a.op->local_path, ec);
    if (xet && file_size > kKeepMaxSize && !ec) {
      // Files the Hub always keeps out of git send their xorbs while they are chunked.
      const detail::XetCasAuth* send = file_size > kGitSha1MaxSize ? early : nullptr;
      chunker = std::thread([&a, &chunk_error, send, compress] {
        try {
          a.chunks =
              send ? detail::ChunkAndSend(a.op->local_path, *send, compress, a.sent, a.sent_ok)
                   : detail::ChunkFile(a.op->local_path);
          a.chunked = true;
        } catch (...) {
          chunk_error = std::current_exception();
        }
      });
    }
    std::string bytes;
    bool room = kept.load() < kKeepTotal;
    try {
      a.digest = detail::DigestFile(a.op->local_path, kGitSha1MaxSize, room ? &bytes : nullptr,
                                    kKeepMaxSize);
    } catch (...) {
      if (chunker.joinable()) chunker.join();
      throw;
    }
    if (chunker.joinable()) chunker.join();
    if (chunk_error) std::rethrow_exception(chunk_error);
    if (room && bytes.size() == a.digest.size) {
      kept += bytes.size();
      a.content = std::move(bytes);
    }
  });
}

// A Xet write token before hashing, when some file is big enough to send its xorbs while it is
// chunked (the Hub keeps files above 10 MB out of git, so they go to the CAS whatever the batch
// says). nullopt when no file is, or the hub gives none (no Xet): the usual path then.
std::optional<detail::XetCasAuth> EarlyXetAuth(const CommitTarget& t,
                                               const std::vector<PreparedAdd>& adds) {
  bool big = false;
  for (const auto& a : adds) {
    std::error_code ec;
    big = big || (!a.op->content && fs::file_size(a.op->local_path, ec) > kGitSha1MaxSize && !ec);
  }
  if (!big) return std::nullopt;
  HttpRequest r = t.impl.Make("GET", t.api + "/xet-write-token/" + detail::Quote(t.rev, false));
  try {
    HttpResponse resp = detail::Perform(r);
    if (resp.status != 200) return std::nullopt;
    json j = json::parse(resp.body, nullptr, false);
    if (!j.is_object()) return std::nullopt;
    return detail::CasAuth(j.value("casUrl", ""), j.value("accessToken", ""));
  } catch (const NetworkError&) {
    return std::nullopt;
  }
}

// Reads the preupload answer for one file: LFS or regular, and whether the server has it already.
void ApplyPreuploadAnswer(const json& f, PreparedAdd& a) {
  a.lfs = f.value("uploadMode", "regular") == "lfs" && a.digest.size > 0;
  a.skip = f.value("shouldIgnore", false);
  std::string remote = f.contains("oid") && f["oid"].is_string() ? f["oid"].get<std::string>() : "";
  if (!a.lfs && a.digest.git_sha1.empty()) {
    a.digest.git_sha1 = detail::DigestFile(a.op->local_path).git_sha1;
  }
  if (!remote.empty() && remote == (a.lfs ? a.digest.sha256 : a.digest.git_sha1)) a.skip = true;
}

// Step 1, preupload: the server says regular or LFS, and which files it already has. The chunks
// of 256 are independent (each touches only its own files), so they go out in parallel.
void Preupload(const CommitTarget& t, std::vector<PreparedAdd>& adds) {
  const size_t chunks = (adds.size() + kPreuploadChunk - 1) / kPreuploadChunk;
  detail::ParallelFor(chunks, t.workers, [&](size_t chunk) {
    size_t start = chunk * kPreuploadChunk;
    size_t end = std::min(adds.size(), start + kPreuploadChunk);
    json files = json::array();
    std::map<std::string, PreparedAdd*> by_path;
    for (size_t i = start; i < end; ++i) {
      files.push_back({{"path", adds[i].op->path_in_repo},
                       {"sample", detail::Base64(adds[i].digest.sample)},
                       {"size", adds[i].digest.size}});
      by_path[adds[i].op->path_in_repo] = &adds[i];
    }
    json answer = t.impl.CallJson("POST", t.api + "/preupload/" + detail::Quote(t.rev, false),
                                  json{{"files", files}}, detail::RetryPolicy::kAll);
    for (const auto& f : answer.value("files", json::array())) {
      auto it = by_path.find(f.value("path", ""));
      if (it != by_path.end()) ApplyPreuploadAnswer(f, *it->second);
    }
  });
}

// Files with the same content are one LFS object: sent once, never by two workers at a time.
std::vector<const PreparedAdd*> DistinctLfsObjects(const std::vector<PreparedAdd>& adds,
                                                   uint64_t* total_bytes) {
  std::vector<const PreparedAdd*> lfs;
  std::set<std::string> oids;
  *total_bytes = 0;
  for (const auto& a : adds) {
    if (a.lfs && !a.skip && oids.insert(a.digest.sha256).second) {
      lfs.push_back(&a);
      *total_bytes += a.digest.size;
    }
  }
  return lfs;
}

// The batch API's answer for `objects` (an upload of up to 256 objects).
json RequestLfsBatch(const CommitTarget& t, const json& objects) {
  HttpRequest r =
      t.impl.Make("POST", detail::RepoWebUrl(t.impl.config().endpoint, t.type, t.repo_id) +
                              ".git/info/lfs/objects/batch");
  r.headers.push_back(std::string("Accept: ") + kLfsType);
  r.headers.push_back(std::string("Content-Type: ") + kLfsType);
  json transfers = {"basic", "multipart"};
  if (t.use_xet) transfers.push_back("xet");
  r.body = json{{"operation", "upload"},
                {"transfers", transfers},
                {"objects", objects},
                {"hash_algo", "sha256"},
                {"ref", {{"name", t.rev}}}}
               .dump();
  HttpResponse resp = detail::PerformWithRetry(r, detail::RetryPolicy::kAll);
  detail::RaiseForStatus(resp);
  return json::parse(resp.body, nullptr, false);
}

// The batch answered "xet": every object it still wants goes as xorbs and one shard, with the
// CAS address and token its X-Xet-* headers give (the same for every object of one answer).
void UploadXetChunk(const CommitTarget& t, const json& answer,
                    const std::map<std::string, const PreparedAdd*>& by_oid,
                    detail::ProgressSum* sum) {
  std::optional<detail::XetCasAuth> auth;
  std::vector<const PreparedAdd*> todo;
  std::set<std::string> seen;
  for (const auto& o : answer.value("objects", json::array())) {
    auto it = by_oid.find(o.value("oid", ""));
    if (it == by_oid.end() || !seen.insert(it->first).second) continue;
    if (auto err = o.find("error"); err != o.end()) {
      throw HttpError(
          ErrorKind::kHttp, static_cast<int>(err->value("code", 0)), "",
          "LFS batch refused " + it->second->op->path_in_repo + ": " + err->value("message", ""),
          "", "");
    }
    const json* upload = nullptr;
    if (auto actions = o.find("actions"); actions != o.end() && actions->contains("upload")) {
      upload = &(*actions)["upload"];
    }
    if (upload == nullptr) {
      if (sum) sum->Add(static_cast<int64_t>(it->second->digest.size));  // already stored
      continue;
    }
    const json header = upload->value("header", json::object());
    auth =
        detail::CasAuth(header.value("X-Xet-Cas-Url", ""), header.value("X-Xet-Access-Token", ""));
    todo.push_back(it->second);
  }
  if (todo.empty()) return;
  if (!auth) {
    throw LocalError(ErrorKind::kInvalidArgument, "the LFS batch answered xet without a CAS URL");
  }
  // Files the hashing pass did not chunk (small ones the hub still wants in LFS) are chunked now.
  std::vector<std::vector<detail::FileChunk>> late(todo.size());
  std::vector<detail::XetUploadFile> files;
  for (size_t i = 0; i < todo.size(); ++i) {
    const PreparedAdd& a = *todo[i];
    const std::vector<detail::FileChunk>* chunks = &a.chunks;
    if (!a.chunked) {
      late[i] =
          a.op->content ? detail::ChunkBytes(*a.op->content) : detail::ChunkFile(a.op->local_path);
      chunks = &late[i];
    }
    files.push_back({a.op->local_path, a.op->content ? &*a.op->content : nullptr, a.digest.sha256,
                     chunks, a.sent_ok ? &a.sent : nullptr});
  }
  detail::UploadXetFiles(*auth, files, t.workers, t.xet_compress, sum);
}

// One batch of up to 256 objects: the batch request, then every object's bytes (each multipart
// part a unit of its own) on the worker threads, then completion and verify, also in parallel.
void UploadLfsChunk(const CommitTarget& t, const std::vector<const PreparedAdd*>& chunk,
                    detail::ProgressSum* sum) {
  json objects = json::array();
  std::map<std::string, const PreparedAdd*> by_oid;
  for (const PreparedAdd* add : chunk) {
    objects.push_back({{"oid", add->digest.sha256}, {"size", add->digest.size}});
    by_oid[add->digest.sha256] = add;
  }
  json answer = RequestLfsBatch(t, objects);
  if (answer.value("transfer", "") == "xet") {
    UploadXetChunk(t, answer, by_oid, sum);
    return;
  }
  std::vector<LfsPlan> plans;
  for (const auto& o : answer.value("objects", json::array())) {
    auto it = by_oid.find(o.value("oid", ""));
    if (it == by_oid.end()) continue;
    const PreparedAdd* add = it->second;
    by_oid.erase(it);  // an answer naming an object twice is acted on once
    if (auto plan = PlanLfsObject(*add, o)) {
      plans.push_back(std::move(*plan));
    } else if (sum) {
      sum->Add(static_cast<int64_t>(add->digest.size));  // already stored
    }
  }
  std::vector<LfsUnit> units;
  for (auto& plan : plans) {
    if (plan.part_urls.empty()) units.push_back({&plan, 0});
    for (size_t part = 1; part <= plan.part_urls.size(); ++part) units.push_back({&plan, part});
  }
  detail::ParallelFor(units.size(), t.workers, [&](size_t i) { UploadLfsUnit(units[i], sum); });
  detail::ParallelFor(plans.size(), t.workers,
                      [&](size_t i) { FinishLfsObject(t.impl, plans[i]); });
}

// Step 2, the LFS objects, one batch per 256, progress summed over all of them.
void UploadLfsObjects(const CommitTarget& t, const std::vector<PreparedAdd>& adds) {
  uint64_t lfs_bytes = 0;
  std::vector<const PreparedAdd*> lfs = DistinctLfsObjects(adds, &lfs_bytes);
  std::optional<detail::ProgressSum> sum;
  if (t.impl.options().progress && lfs_bytes > 0) {
    sum.emplace(t.impl.options().progress, "upload", lfs_bytes);
  }
  for (size_t start = 0; start < lfs.size(); start += kPreuploadChunk) {
    size_t end = std::min(lfs.size(), start + kPreuploadChunk);
    std::vector<const PreparedAdd*> chunk(lfs.begin() + start, lfs.begin() + end);
    UploadLfsChunk(t, chunk, sum ? &*sum : nullptr);
  }
}

// Step 3's lines, in the callers' order; unchanged and ignored files are left out.
std::vector<detail::NdjsonOp> CommitLines(const std::vector<CommitOperation>& operations,
                                          const std::vector<PreparedAdd>& adds) {
  std::vector<detail::NdjsonOp> lines;
  size_t add_index = 0;
  for (const auto& op : operations) {
    detail::NdjsonOp line;
    line.path = op.path_in_repo;
    if (op.kind == CommitOperation::Kind::kDelete) {
      bool folder = !op.path_in_repo.empty() && op.path_in_repo.back() == '/';
      line.kind =
          folder ? detail::NdjsonOp::Kind::kDeletedFolder : detail::NdjsonOp::Kind::kDeletedFile;
      lines.push_back(std::move(line));
      continue;
    }
    const PreparedAdd& a = adds[add_index++];
    if (a.skip) continue;
    if (a.lfs) {
      line.kind = detail::NdjsonOp::Kind::kLfsFile;
      line.sha256 = a.digest.sha256;
      line.size = static_cast<int64_t>(a.digest.size);
    } else {
      line.kind = detail::NdjsonOp::Kind::kFile;
      line.content_base64 = detail::Base64(a.content ? *a.content : LoadSmall(op));
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

CommitInfo ParseCommitAnswer(const HttpResponse& resp) {
  CommitInfo info;
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

}  // namespace

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
  const CommitTarget target{*impl_,
                            type,
                            repo_id,
                            detail::ApiRepoUrl(ep, type, repo_id),
                            revision.empty() ? "main" : revision,
                            std::max(1, impl_->options().max_workers),
                            impl_->options().use_xet,
                            impl_->options().xet_compress};
  std::vector<PreparedAdd> adds = CollectAdds(operations);
  auto hash_start = std::chrono::steady_clock::now();
  std::optional<detail::XetCasAuth> early;
  if (target.use_xet) early = EarlyXetAuth(target, adds);
  HashAdds(adds, target.workers, target.use_xet, early ? &*early : nullptr, target.xet_compress);
  if (const char* stats = std::getenv("SPACEHUB_CLIENT_XET_STATS"); stats && *stats == '1') {
    std::fprintf(
        stderr, "hashing: %.3f s\n",
        std::chrono::duration<double>(std::chrono::steady_clock::now() - hash_start).count());
  }
  Preupload(target, adds);
  UploadLfsObjects(target, adds);

  // Step 3, the commit itself: one request, so a failure before it changes nothing.
  std::vector<detail::NdjsonOp> lines = CommitLines(operations, adds);
  if (lines.empty()) {
    CommitInfo info;
    info.empty = true;
    info.commit_oid = GetRepoInfo(repo_id, type, target.rev).sha;
    info.commit_url = detail::RepoWebUrl(ep, type, repo_id) + "/commit/" + info.commit_oid;
    return info;
  }
  HttpRequest r = impl_->Make("POST", target.api + "/commit/" + detail::Quote(target.rev, false));
  r.headers.push_back("Content-Type: application/x-ndjson");
  r.body = detail::BuildCommitNdjson(commit_message, commit_description, parent_commit, lines);
  HttpResponse resp = detail::Perform(r);
  detail::RaiseForStatus(resp);
  return ParseCommitAnswer(resp);
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
  if (!prefix.empty()) prefix += '/';
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
    files.emplace_back(prefix + rel, it->path().string());
  }
  std::sort(files.begin(), files.end());
  std::vector<CommitOperation> ops;
  ops.reserve(files.size());
  for (auto& [repo_path, local] : files) ops.push_back(CommitOperation::AddFile(repo_path, local));
  std::string msg = commit_message.empty() ? "Upload folder using spacehub" : commit_message;
  return CreateCommit(repo_id, type, ops, msg, revision);
}

}  // namespace spacehub::client
