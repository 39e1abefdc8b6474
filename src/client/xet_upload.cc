#include "client/xet_upload.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

#include "client/error_mapping.h"
#include "client/http.h"
#include "client/xet_xorb_source.h"
#include "spacehub/errors.h"
#include "xet/shard_format.h"
#include "xet/xorb_format.h"

namespace spacehub::client::detail {

namespace {

// A compressed xorb in flight holds its raw chunks and its serialized form (up to ~128 MiB
// together; raw ones are streamed from the file), so the xorb uploads run on fewer threads than
// the client's max_workers.
constexpr int kMaxXorbWorkers = 4;

HttpRequest CasRequest(const XetCasAuth& auth, const std::string& method, const std::string& path) {
  HttpRequest r;
  r.method = method;
  r.url = auth.cas_url + path;
  r.headers.push_back("Authorization: Bearer " + auth.token);
  return r;
}

// Reads [offset, offset + length) of the file into `out` (appending).
void ReadAt(int fd, const std::string& path, uint64_t offset, size_t length, std::string& out) {
  size_t at = out.size();
  out.resize(at + length);
  size_t done = 0;
  while (done < length) {
    ssize_t n =
        ::pread(fd, out.data() + at + done, length - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      throw LocalError(ErrorKind::kLocalIo, "cannot read " + path + " (changed while uploading?)");
    }
    done += static_cast<size_t>(n);
  }
}

// The raw bytes of a new xorb's chunks, read in runs of consecutive chunks.
std::string XorbRawBytes(const XetUploadFile& f, const NewXorb& x) {
  const auto& chunks = *f.chunks;
  std::string raw;
  raw.reserve(x.raw_bytes);
  if (f.content) {
    for (size_t i : x.chunks) raw.append(*f.content, chunks[i].offset, chunks[i].length);
    return raw;
  }
  int fd = ::open(f.local_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw LocalError(ErrorKind::kLocalIo,
                     "cannot read " + f.local_path + ": " + std::strerror(errno));
  }
  try {
    for (size_t k = 0; k < x.chunks.size();) {
      size_t end = k + 1;
      while (end < x.chunks.size() && x.chunks[end] == x.chunks[end - 1] + 1) ++end;
      const FileChunk& first = chunks[x.chunks[k]];
      const FileChunk& last = chunks[x.chunks[end - 1]];
      ReadAt(fd, f.local_path, first.offset, last.offset + last.length - first.offset, raw);
      k = end;
    }
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
  return raw;
}

// Asks about the files' eligible chunks (in parallel), then follows the stored layout from what
// they found (FollowDedup, one query at a time); every answer goes into `index`.
void QueryDedup(const XetCasAuth& auth, const std::vector<XetUploadFile>& files, int workers,
                DedupIndex& index) {
  std::vector<xet::XetHash> queries;
  for (const auto& f : files) {
    if (f.sent) continue;
    for (size_t i : DedupQueryChunks(*f.chunks)) queries.push_back((*f.chunks)[i].hash);
  }
  std::mutex mu;
  ParallelFor(queries.size(), workers, [&](size_t i) {
    auto shard = AskDedup(auth, queries[i]);
    if (!shard) return;
    std::lock_guard<std::mutex> lock(mu);
    index.AddShard(*shard);
  });
  for (const auto& f : files) {
    if (f.sent) continue;
    FollowDedup(*f.chunks, index, [&](size_t i) {
      if (auto shard = AskDedup(auth, (*f.chunks)[i].hash)) index.AddShard(*shard);
    });
  }
}

}  // namespace

std::optional<XetCasAuth> CasAuth(std::string cas_url, std::string token) {
  while (!cas_url.empty() && cas_url.back() == '/') cas_url.pop_back();
  if (cas_url.empty() || token.empty()) return std::nullopt;
  return XetCasAuth{std::move(cas_url), std::move(token)};
}

// One global dedup query: the answer's shard, or nullopt (404 = none; other failures only cost
// the dedup, so they are not raised).
std::optional<xet::Shard> AskDedup(const XetCasAuth& auth, const xet::XetHash& chunk) {
  HttpRequest r = CasRequest(auth, "GET", "/v1/chunks/default/" + chunk.ToHex());
  HttpResponse resp;
  try {
    resp = PerformWithRetry(r, RetryPolicy::kAll);
  } catch (const NetworkError&) {
    return std::nullopt;
  }
  if (resp.status != 200) return std::nullopt;
  auto shard = xet::ParseShard(resp.body);
  if (!shard.ok()) return std::nullopt;
  return std::move(*shard);
}

// POSTs one new xorb: streamed from the file when it goes uncompressed, else built whole (each
// chunk compressed first); returns the bytes sent.
uint64_t PostXorb(const XetCasAuth& auth, const XetUploadFile& f, const NewXorb& x, bool compress) {
  HttpRequest r = CasRequest(auth, "POST", "/v1/xorbs/default/" + x.hash.ToHex());
  r.headers.emplace_back("Content-Type: application/octet-stream");
  r.large_buffers = true;
  std::optional<RawXorbSource> source;
  if (compress) {
    std::string raw = XorbRawBytes(f, x);
    std::vector<std::string_view> views;
    views.reserve(x.chunks.size());
    size_t at = 0;
    for (size_t c : x.chunks) {
      views.emplace_back(raw.data() + at, (*f.chunks)[c].length);
      at += (*f.chunks)[c].length;
    }
    r.body = xet::BuildXorb(views, true);
  } else {
    source.emplace(f, x);
    r.upload_length = source->size();
    r.body_source = [&source](char* buf, size_t capacity, uint64_t at) {
      return source->Fill(buf, capacity, at);
    };
  }
  const uint64_t sent = source ? source->size() : r.body.size();
  try {
    RaiseForStatus(PerformWithRetry(r, RetryPolicy::kAll));
  } catch (const LocalError&) {
    if (!source) throw;
    throw LocalError(ErrorKind::kLocalIo,
                     "cannot read " + f.local_path + " (changed while uploading?)");
  }
  return sent;
}

XetUploadStats UploadXetFiles(const XetCasAuth& auth, const std::vector<XetUploadFile>& files,
                              int workers, bool compress, ProgressSum* sum) {
  using Clock = std::chrono::steady_clock;
  auto seconds = [](Clock::time_point from) {
    return std::chrono::duration<double>(Clock::now() - from).count();
  };
  XetUploadStats stats;
  DedupIndex index;
  auto t0 = Clock::now();
  QueryDedup(auth, files, workers, index);
  stats.dedup_seconds = seconds(t0);
  std::vector<FilePlan> plans;
  plans.reserve(files.size());
  for (const auto& f : files) {
    uint64_t size = f.chunks->empty() ? 0 : f.chunks->back().offset + f.chunks->back().length;
    if (f.sent) {  // its xorbs went while it was chunked: only the shard is left
      plans.push_back(f.sent->plan);
      stats.xorbs += f.sent->stats.xorbs;
      stats.xorb_bytes_sent += f.sent->stats.xorb_bytes_sent;
      stats.deduped_bytes += f.sent->stats.deduped_bytes;
      if (sum) sum->Add(static_cast<int64_t>(size));
      continue;
    }
    plans.push_back(PlanFile(*f.chunks, index));
    stats.deduped_bytes += size - plans.back().new_bytes;
    if (sum) sum->Add(static_cast<int64_t>(size - plans.back().new_bytes));
  }
  struct Unit {
    size_t file;
    size_t xorb;
  };
  std::vector<Unit> units;
  for (size_t f = 0; f < plans.size(); ++f) {
    if (files[f].sent) continue;
    for (size_t x = 0; x < plans[f].xorbs.size(); ++x) units.push_back({f, x});
  }
  std::atomic<uint64_t> sent{0};
  t0 = Clock::now();
  ParallelFor(units.size(), std::min(workers, kMaxXorbWorkers), [&](size_t i) {
    const XetUploadFile& f = files[units[i].file];
    NewXorb& x = plans[units[i].file].xorbs[units[i].xorb];
    x.stored_bytes = PostXorb(auth, f, x, compress);
    sent += x.stored_bytes;
    if (sum) sum->Add(static_cast<int64_t>(x.raw_bytes));
  });
  stats.xorb_seconds = seconds(t0);
  stats.xorb_bytes_sent += sent.load();
  stats.xorbs += units.size();

  std::vector<ShardFile> shard_files;
  for (size_t i = 0; i < files.size(); ++i) {
    shard_files.push_back({&plans[i], files[i].chunks, files[i].sha256});
  }
  t0 = Clock::now();
  HttpRequest r = CasRequest(auth, "POST", "/v1/shards");
  r.headers.emplace_back("Content-Type: application/octet-stream");
  r.body = xet::SerializeShard(BuildUploadShard(shard_files));
  RaiseForStatus(PerformWithRetry(r, RetryPolicy::kAll));
  stats.shard_seconds = seconds(t0);
  if (const char* debug = std::getenv("SPACEHUB_CLIENT_XET_STATS"); debug && *debug == '1') {
    std::fprintf(stderr,
                 "xet upload: %zu xorbs, %llu bytes sent, %llu bytes deduplicated (dedup %.3f s, "
                 "xorbs %.3f s, shard %.3f s)\n",
                 stats.xorbs, static_cast<unsigned long long>(stats.xorb_bytes_sent),
                 static_cast<unsigned long long>(stats.deduped_bytes), stats.dedup_seconds,
                 stats.xorb_seconds, stats.shard_seconds);
  }
  return stats;
}

}  // namespace spacehub::client::detail
