// Xet routes (spec: docs/design/0011-xet.md): the Hub's token endpoints
// (/api/{type}s/{ns}/{name}/xet-{read,write}-token/{rev}) and the CAS API under /cas — the casUrl
// the tokens name: xorbs, shards, the dedup query, reconstructions (v1 and v2) and the signed xorb
// range URLs the reconstructions hand out. CAS requests carry a Xet token, not a hub token: the
// router's credential check takes a write token before a shard's body is read (routes.cc), the
// streamed xorb upload checks its write token in its stream handler, also before any body byte,
// and each handler checks the token again for its own scope.
#include <charconv>
#include <map>
#include <optional>
#include <set>

#include "api/routes.h"
#include "api/xet_shard_stream.h"

namespace spacehub::api {
namespace {

std::string CasUrl(const ApiContext& ctx, const http::Request& req) {
  return ctx.BaseUrl(req) + "/cas";
}

Result<service::XetGrant> Grant(ApiContext& ctx, const http::Request& req, bool write) {
  return service::CheckXetToken(ctx.hub(), req.Header("authorization"), write);
}

Result<http::Response> Token(ApiContext& ctx, http::Request& req, RepoType type, bool write) {
  SH_ASSIGN_OR_RETURN(service::Caller who, ctx.Caller(req));
  SH_ASSIGN_OR_RETURN(RepoId id, RouteRepoId(req, type));
  SH_ASSIGN_OR_RETURN(auto token, ctx.xet.IssueToken(who, id, RouteParam(req, "rev"), write));
  // The body for @huggingface/hub and the spec; the same in headers for huggingface_hub, which
  // reads only those.
  http::Response r = http::Response::Json({{"accessToken", token.access_token},
                                           {"exp", token.expires_at},
                                           {"casUrl", CasUrl(ctx, req)}});
  r.Header("X-Xet-Cas-Url", CasUrl(ctx, req));
  r.Header("X-Xet-Access-Token", token.access_token);
  r.Header("X-Xet-Token-Expiration", std::to_string(token.expires_at));
  return r;
}

Status CheckPrefix(const http::Request& req, std::initializer_list<std::string_view> allowed) {
  std::string_view prefix = req.Param("prefix");
  for (auto a : allowed) {
    if (prefix == a) return Status::Ok();
  }
  return Status::InvalidArgument("Unknown prefix '" + std::string(prefix) + "'");
}

// Streams a xorb's body into its upload: each piece is checked and written as it arrives
// (service/xet_xorb_upload.h), so the hub never holds the body whole.
class XorbSink final : public http::BodySink {
 public:
  explicit XorbSink(std::unique_ptr<service::XorbUpload> upload) : upload_(std::move(upload)) {}
  Status Write(std::string_view chunk) override { return upload_->Write(chunk); }
  http::Response Finish() override {
    auto inserted = upload_->Finish();
    if (!inserted.ok()) return http::Response::Error(inserted.status());
    return http::Response::Json({{"was_inserted", *inserted}});
  }

 private:
  std::unique_ptr<service::XorbUpload> upload_;
};

// The write token, the prefix and the hash are checked from the head, before any body byte is
// read; so is a declared length over the limit.
Result<std::unique_ptr<http::BodySink>> PutXorb(ApiContext& ctx, http::Request& req) {
  SH_ASSIGN_OR_RETURN(auto grant, Grant(ctx, req, /*write=*/true));
  SH_TRY(CheckPrefix(req, {"default"}));
  std::optional<uint64_t> length;
  const std::string_view header = req.Header("content-length");
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(header.data(), header.data() + header.size(), n);
  if (ec == std::errc() && end == header.data() + header.size()) length = n;
  SH_ASSIGN_OR_RETURN(auto upload, ctx.xet.BeginXorb(grant, req.Param("hash"), length));
  return std::unique_ptr<http::BodySink>(std::make_unique<XorbSink>(std::move(upload)));
}

Result<http::Response> HeadXorb(ApiContext& ctx, http::Request& req) {
  SH_ASSIGN_OR_RETURN(auto grant, Grant(ctx, req, false));
  SH_TRY(CheckPrefix(req, {"default"}));
  SH_ASSIGN_OR_RETURN(uint64_t size, ctx.xet.XorbSize(grant, req.Param("hash")));
  http::Response r;
  r.Header("Content-Length", std::to_string(size));
  return r;
}

Result<http::Response> PutShard(ApiContext& ctx, http::Request& req) {
  SH_ASSIGN_OR_RETURN(auto grant, Grant(ctx, req, /*write=*/true));
  SH_ASSIGN_OR_RETURN(int result, ctx.xet.UploadShard(grant, req.body));
  return http::Response::Json({{"result", result}});
}

// The same check, answered as NDJSON progress while it runs (api/xet_shard_stream.h). What can
// be refused from the body alone (token, size, format) is refused with a status, as in v1.
Result<http::Response> PutShardV2(ApiContext& ctx, http::Request& req) {
  SH_ASSIGN_OR_RETURN(auto grant, Grant(ctx, req, /*write=*/true));
  SH_ASSIGN_OR_RETURN(xet::Shard parsed, service::XetService::ParseShardBody(req.body));
  // Its place is taken before it queues for the pool, and given back before the result frame.
  SH_ASSIGN_OR_RETURN(service::ShardAdmission::Ticket ticket, ctx.xet.AdmitShardCheck(grant));
  auto held = std::make_shared<std::optional<service::ShardAdmission::Ticket>>(std::move(ticket));
  auto shard = std::make_shared<const xet::Shard>(std::move(parsed));
  http::Response r;
  r.Header("Content-Type", "application/x-ndjson");
  r.stream = std::make_unique<ShardCheckStream>(
      shard->files.size(), [&xet = ctx.xet, grant, shard, held](service::ShardProgress& progress) {
        Result<int> result = xet.RecordShard(grant, *shard, &progress);
        held->reset();
        return result;
      });
  return r;
}

Result<http::Response> Dedup(ApiContext& ctx, http::Request& req) {
  SH_ASSIGN_OR_RETURN(auto grant, Grant(ctx, req, false));
  SH_TRY(CheckPrefix(req, {"default", "default-merkledb"}));
  SH_ASSIGN_OR_RETURN(std::string shard, ctx.xet.DedupQuery(grant, req.Param("hash")));
  return http::Response::Text(std::move(shard), 200, "application/octet-stream");
}

// "bytes=<start>-<end>" (end inclusive, optional): the one form the reconstruction API and the
// signed xorb URLs take.
Result<std::optional<std::pair<uint64_t, uint64_t>>> SingleRange(const http::Request& req) {
  std::string_view h = req.Header("range");
  if (h.empty()) return std::optional<std::pair<uint64_t, uint64_t>>();
  auto bad = [&] { return Status::InvalidArgument("Malformed Range header"); };
  if (h.substr(0, 6) != "bytes=") return bad();
  h.remove_prefix(6);
  size_t dash = h.find('-');
  if (dash == std::string_view::npos) return bad();
  uint64_t start = 0;
  uint64_t end = UINT64_MAX;
  auto [p, ec] = std::from_chars(h.data(), h.data() + dash, start);
  if (ec != std::errc() || p != h.data() + dash) return bad();
  std::string_view tail = h.substr(dash + 1);
  if (!tail.empty()) {
    auto [q, ec2] = std::from_chars(tail.data(), tail.data() + tail.size(), end);
    if (ec2 != std::errc() || q != tail.data() + tail.size() || end < start) return bad();
  }
  return std::optional<std::pair<uint64_t, uint64_t>>(std::make_pair(start, end));
}

nlohmann::json RangeJson(uint64_t start, uint64_t end) { return {{"start", start}, {"end", end}}; }

// Renders reconstructions: the terms of each file, and one signed URL per distinct xorb range,
// shared between files (the client fetches each with a single-range request).
class ReconRenderer {
 public:
  ReconRenderer(ApiContext& ctx, const http::Request& req, bool v2)
      : ctx_(ctx), base_(ctx.BaseUrl(req)), v2_(v2) {}

  nlohmann::json Terms(const service::XetReconstruction& recon) {
    nlohmann::json terms = nlohmann::json::array();
    for (const auto& t : recon.terms) {
      terms.push_back({{"hash", t.xorb},
                       {"unpacked_length", t.unpacked_bytes},
                       {"range", RangeJson(t.chunk_start, t.chunk_end)}});
      if (!listed_.insert({t.xorb, t.chunk_start, t.chunk_end}).second) continue;
      std::string url = base_ + ctx_.xet.SignedXorbPath(t.xorb, t.byte_start, t.byte_end);
      fetch_[t.xorb].push_back(
          v2_ ? nlohmann::json{{"url", url},
                               {"ranges", nlohmann::json::array(
                                              {{{"chunks", RangeJson(t.chunk_start, t.chunk_end)},
                                                {"bytes", RangeJson(t.byte_start, t.byte_end)}}})}}
              : nlohmann::json{{"range", RangeJson(t.chunk_start, t.chunk_end)},
                               {"url", url},
                               {"url_range", RangeJson(t.byte_start, t.byte_end)}});
    }
    return terms;
  }
  // The fetch entries by xorb ("xorbs" in v2, "fetch_info" in v1).
  nlohmann::json TakeFetch() { return std::move(fetch_); }

 private:
  ApiContext& ctx_;
  const std::string base_;
  const bool v2_;
  std::set<std::tuple<std::string, uint32_t, uint32_t>> listed_;
  nlohmann::json fetch_ = nlohmann::json::object();
};

Result<http::Response> Reconstruction(ApiContext& ctx, http::Request& req, bool v2) {
  SH_ASSIGN_OR_RETURN(auto grant, Grant(ctx, req, false));
  SH_ASSIGN_OR_RETURN(auto range, SingleRange(req));
  SH_ASSIGN_OR_RETURN(auto recon, ctx.xet.Reconstruct(grant, req.Param("file"), range));
  ReconRenderer render(ctx, req, v2);
  nlohmann::json terms = render.Terms(recon);
  return http::Response::Json({{"offset_into_first_range", recon.offset_into_first_range},
                               {"terms", std::move(terms)},
                               {v2 ? "xorbs" : "fetch_info", render.TakeFetch()}});
}

// Reconstructions of several files at once, in the v1 shape for each, with the xorbs' fetch entries
// shared. Asked two ways: POST /v1/reconstructions with [{"prefix": "default", "hash": ...}, ...]
// (the specification), or GET /v1/reconstructions?file_id=...&file_id=... (xet-core's client).
// 404 when any file is not in the token's repo.
constexpr size_t kMaxBatchFiles = 1000;

Result<http::Response> RenderBatch(ApiContext& ctx, const http::Request& req,
                                   const service::XetGrant& grant,
                                   const std::set<std::string>& hashes) {
  ReconRenderer render(ctx, req, /*v2=*/false);
  nlohmann::json files = nlohmann::json::object();
  for (const auto& h : hashes) {
    SH_ASSIGN_OR_RETURN(auto recon, ctx.xet.Reconstruct(grant, h, std::nullopt));
    files[h] = render.Terms(recon);
  }
  return http::Response::Json({{"files", std::move(files)}, {"fetch_info", render.TakeFetch()}});
}

Result<http::Response> BatchReconstruction(ApiContext& ctx, http::Request& req) {
  SH_ASSIGN_OR_RETURN(auto grant, Grant(ctx, req, false));
  nlohmann::json keys = nlohmann::json::parse(req.body, nullptr, false);
  if (!keys.is_array() || keys.empty() || keys.size() > kMaxBatchFiles) {
    return Status::InvalidArgument("The body must be a JSON array of 1 to 1000 {prefix, hash}");
  }
  std::set<std::string> hashes;
  for (const auto& k : keys) {
    if (!k.is_object() || !k.contains("hash") || !k["hash"].is_string() ||
        k.value("prefix", "default") != "default") {
      return Status::InvalidArgument("Each key must be {\"prefix\": \"default\", \"hash\": ...}");
    }
    hashes.insert(k["hash"].get<std::string>());
  }
  return RenderBatch(ctx, req, grant, hashes);
}

Result<http::Response> BatchReconstructionByQuery(ApiContext& ctx, http::Request& req) {
  SH_ASSIGN_OR_RETURN(auto grant, Grant(ctx, req, false));
  std::vector<std::string> ids = req.QueryAll("file_id");
  if (ids.empty() || ids.size() > kMaxBatchFiles) {
    return Status::InvalidArgument("Name 1 to 1000 files, each as a file_id query parameter");
  }
  return RenderBatch(ctx, req, grant, std::set<std::string>(ids.begin(), ids.end()));
}

Result<http::Response> HeadFile(ApiContext& ctx, http::Request& req) {
  SH_ASSIGN_OR_RETURN(auto grant, Grant(ctx, req, false));
  SH_ASSIGN_OR_RETURN(uint64_t size, ctx.xet.FileSize(grant, req.Param("file")));
  http::Response r;
  r.Header("Content-Length", std::to_string(size));
  return r;
}

// A signed xorb URL: the bytes of its window, or the part of it a single Range asks for.
Result<http::Response> XorbData(ApiContext& ctx, http::Request& req) {
  SH_ASSIGN_OR_RETURN(auto window, ctx.xet.CheckXorbPath(req.Param("hash"), req.Param("range"),
                                                         req.Param("exp"), req.Param("sig")));
  SH_ASSIGN_OR_RETURN(auto file, http::FileBody::Open(window.path));
  if (window.end >= file->length() || window.start > window.end) {
    return Status::InvalidArgument("The signed range is outside the xorb");
  }
  http::Response r;
  r.Header("Content-Type", "application/octet-stream");
  std::string_view header = req.Header("range");
  if (header.empty()) {
    file->Narrow(window.start, window.end - window.start + 1);
  } else {
    // The asked range as written (the connection would clamp it to the file): within the window.
    SH_ASSIGN_OR_RETURN(auto asked, SingleRange(req));
    if (!asked || asked->first < window.start || asked->second > window.end) {
      return Status::PermissionDenied("The requested bytes are outside this URL's signed range");
    }
    r.ranges_allowed = true;  // the connection answers 206 with exactly those bytes
  }
  r.file = std::move(file);
  return r;
}

}  // namespace

void RegisterXetRoutes(http::Router& router, ApiContext& ctx) {
  using http::Method;
  for (RepoType type : {RepoType::kModel, RepoType::kDataset, RepoType::kSpace}) {
    std::string base = "/api/" + std::string(RepoTypeName(type)) + "s/{ns}/{name}";
    router.Add(Method::kGet, base + "/xet-read-token/{rev*}",
               Handle([&ctx, type](http::Request& r) { return Token(ctx, r, type, false); }));
    router.Add(Method::kGet, base + "/xet-write-token/{rev*}",
               Handle([&ctx, type](http::Request& r) { return Token(ctx, r, type, true); }));
  }
  // Shards: large bodies (up to 64 MiB), read only for a valid write token (routes.cc), checked on
  // the server's pool for slow work (each new file is read back whole for its SHA-256). Xorbs
  // stream into their upload; the write token is checked before the body (PutXorb).
  const http::BodyRules xet_body = http::BodyRules::LargeOffloaded();
  router.AddStreaming(Method::kPost, "/cas/v1/xorbs/{prefix}/{hash}",
                      [&ctx](http::Request& req) { return PutXorb(ctx, req); });
  router.Add(Method::kHead, "/cas/v1/xorbs/{prefix}/{hash}", Handle(ctx, HeadXorb));
  router.Add(Method::kPost, "/cas/v1/shards", Handle(ctx, PutShard), xet_body);
  // v2 needs no offloading: the handler only parses; the check is its body's background work.
  router.Add(Method::kPost, "/cas/v2/shards", Handle(ctx, PutShardV2), http::BodyRules::Large());
  router.Add(Method::kGet, "/cas/v1/chunks/{prefix}/{hash}", Handle(ctx, Dedup));
  router.Add(Method::kGet, "/cas/v1/reconstructions/{file}",
             Handle([&ctx](http::Request& r) { return Reconstruction(ctx, r, false); }));
  router.Add(Method::kGet, "/cas/v2/reconstructions/{file}",
             Handle([&ctx](http::Request& r) { return Reconstruction(ctx, r, true); }));
  router.Add(Method::kPost, "/cas/v1/reconstructions", Handle(ctx, BatchReconstruction));
  router.Add(Method::kGet, "/cas/v1/reconstructions", Handle(ctx, BatchReconstructionByQuery));
  router.Add(Method::kHead, "/cas/v1/files/{file}", Handle(ctx, HeadFile));
  router.Add(Method::kGet, "/cas/xorb-data/{hash}/{range}/{exp}/{sig}", Handle(ctx, XorbData));
}

}  // namespace spacehub::api
