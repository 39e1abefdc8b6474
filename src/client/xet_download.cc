#include "client/xet_download.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "client/error_mapping.h"
#include "client/http.h"
#include "client/parallel.h"
#include "xet/xorb_format.h"

namespace spacehub::client::detail {

using nlohmann::json;

namespace {

// Each worker holds one term's stored and decoded bytes (up to ~128 MiB).
constexpr int kMaxTermWorkers = 4;

struct Fetch {
  std::string url;
  uint32_t chunk_start = 0, chunk_end = 0;
  uint64_t byte_start = 0, byte_end = 0;  // inclusive end
};

struct Term {
  std::string xorb;
  uint32_t start = 0, end = 0;
  uint64_t unpacked = 0;
  uint64_t file_offset = 0;  // where its first byte (after `skip`) goes
  uint64_t skip = 0;         // bytes of the term before the file's range (first term only)
  const Fetch* fetch = nullptr;
};

[[noreturn]] void BadAnswer(const std::string& why) {
  throw HttpError(ErrorKind::kHttp, 200, "", "unusable Xet reconstruction: " + why, "", "");
}

uint64_t Num(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_unsigned()) BadAnswer(std::string("no ") + key);
  return it->get<uint64_t>();
}

json GetJson(const HttpRequest& r) {
  HttpResponse resp = PerformWithRetry(r, RetryPolicy::kDownload);
  RaiseForStatus(resp);
  json j = json::parse(resp.body, nullptr, false);
  if (!j.is_object()) BadAnswer("not a JSON object");
  return j;
}

void WriteAt(int fd, const std::string& path, std::string_view data, uint64_t offset);

// Decodes chunks [t.start, t.end) from `stored` (which begins at chunk t.fetch->chunk_start) and
// writes the term's bytes from `t.skip` on, up to `limit` bytes, at t.file_offset. Raw chunks are
// written straight from the fetched bytes (the usual case: weights do not compress), compressed
// ones through a scratch buffer. Returns the bytes written.
uint64_t WriteTerm(const Term& t, std::string_view stored, int fd, const std::string& path,
                   uint64_t limit) {
  std::string scratch;
  size_t pos = 0;
  uint64_t term_pos = 0;  // bytes of the term decoded so far
  uint64_t written = 0;
  for (uint32_t idx = t.fetch->chunk_start; idx < t.end; ++idx) {
    if (stored.size() - pos < xet::kChunkHeaderBytes) BadAnswer("xorb range ends in a header");
    const auto* h = reinterpret_cast<const unsigned char*>(stored.data() + pos);
    size_t len = xet::kChunkHeaderBytes + (h[1] | (h[2] << 8) | (h[3] << 16));
    if (stored.size() - pos < len) BadAnswer("xorb range ends in a chunk");
    if (idx >= t.start) {
      std::string_view data;
      if (h[4] == static_cast<uint8_t>(xet::Compression::kNone) && h[0] == 0) {
        data = stored.substr(pos + xet::kChunkHeaderBytes, len - xet::kChunkHeaderBytes);
      } else {
        scratch.clear();
        Status st = xet::DecodeChunk(stored.substr(pos, len), scratch);
        if (!st.ok()) BadAnswer(st.message());
        data = scratch;
      }
      uint64_t begin = term_pos, end = term_pos + data.size();
      term_pos = end;
      uint64_t from = std::max<uint64_t>(begin, t.skip);
      uint64_t to = std::min<uint64_t>(end, t.skip + limit);
      if (from < to) {
        WriteAt(fd, path, data.substr(from - begin, to - from), t.file_offset + (from - t.skip));
        written += to - from;
      }
    }
    pos += len;
  }
  if (term_pos != t.unpacked) BadAnswer("a term decodes to the wrong size");
  return written;
}

void WriteAt(int fd, const std::string& path, std::string_view data, uint64_t offset) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n =
        ::pwrite(fd, data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      throw LocalError(ErrorKind::kLocalIo, "cannot write " + path + ": " + std::strerror(errno));
    }
    done += static_cast<size_t>(n);
  }
}

}  // namespace

std::string LinkWithRel(const std::string& header, const std::string& rel) {
  size_t pos = 0;
  while (true) {
    size_t open = header.find('<', pos);
    if (open == std::string::npos) return "";
    size_t close = header.find('>', open);
    if (close == std::string::npos) return "";
    size_t next = header.find('<', close);
    std::string params =
        header.substr(close + 1, next == std::string::npos ? std::string::npos : next - close - 1);
    if (params.find("rel=\"" + rel + "\"") != std::string::npos ||
        params.find("rel=" + rel) != std::string::npos) {
      return header.substr(open + 1, close - open - 1);
    }
    if (next == std::string::npos) return "";
    pos = next;
  }
}

void XetFetchToFile(const HubClient::Impl& impl, const FileMetadata& m, const std::string& partial,
                    const std::string& label, const ProgressFn* progress) {
  json auth = GetJson(impl.Make("GET", m.xet_auth_url));
  const std::string token = auth.value("accessToken", "");
  std::string cas = auth.value("casUrl", "");
  if (token.empty() || cas.empty()) BadAnswer("the token answer lacks accessToken or casUrl");
  while (!cas.empty() && cas.back() == '/') cas.pop_back();
  HttpRequest rr;
  rr.url = cas + "/v2/reconstructions/" + m.xet_hash;
  rr.headers.push_back("Authorization: Bearer " + token);
  json recon = GetJson(rr);

  std::map<std::string, std::vector<Fetch>> fetches;
  const json xorbs = recon.value("xorbs", json::object());  // items() must not outlive it
  for (const auto& [xorb, list] : xorbs.items()) {
    if (!list.is_array()) BadAnswer("xorbs entry is not a list");
    for (const auto& f : list) {
      for (const auto& range : f.value("ranges", json::array())) {
        Fetch fe;
        fe.url = f.value("url", "");
        fe.chunk_start = static_cast<uint32_t>(Num(range.at("chunks"), "start"));
        fe.chunk_end = static_cast<uint32_t>(Num(range.at("chunks"), "end"));
        fe.byte_start = Num(range.at("bytes"), "start");
        fe.byte_end = Num(range.at("bytes"), "end");
        fetches[xorb].push_back(std::move(fe));
      }
    }
  }
  std::vector<Term> terms;
  uint64_t skip =
      recon.contains("offset_into_first_range") ? Num(recon, "offset_into_first_range") : 0;
  uint64_t at = 0;
  for (const auto& j : recon.value("terms", json::array())) {
    Term t;
    t.xorb = j.value("hash", "");
    t.start = static_cast<uint32_t>(Num(j.at("range"), "start"));
    t.end = static_cast<uint32_t>(Num(j.at("range"), "end"));
    t.unpacked = Num(j, "unpacked_length");
    t.skip = terms.empty() ? std::min(skip, t.unpacked) : 0;
    t.file_offset = at;
    at += t.unpacked - t.skip;
    for (const auto& fe : fetches[t.xorb]) {
      if (fe.chunk_start <= t.start && fe.chunk_end >= t.end && fe.byte_end >= fe.byte_start) {
        t.fetch = &fe;
        break;
      }
    }
    if (t.fetch == nullptr || t.start >= t.end) BadAnswer("a term has no xorb range");
    terms.push_back(std::move(t));
  }
  if (at < m.size) BadAnswer("the terms hold fewer bytes than the file");

  int fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw LocalError(ErrorKind::kLocalIo, "cannot write " + partial + ": " + std::strerror(errno));
  }
  std::optional<ProgressSum> sum;
  if (progress && *progress) sum.emplace(*progress, label, m.size);
  try {
    if (::ftruncate(fd, static_cast<off_t>(m.size)) != 0) {
      throw LocalError(ErrorKind::kLocalIo, "cannot size " + partial + ": " + std::strerror(errno));
    }
    int workers = std::clamp(impl.options().max_workers, 1, kMaxTermWorkers);
    ParallelFor(terms.size(), workers, [&](size_t i) {
      const Term& t = terms[i];
      if (t.file_offset >= m.size) return;
      HttpRequest r;
      r.url = t.fetch->url;
      r.headers.push_back("Range: bytes=" + std::to_string(t.fetch->byte_start) + "-" +
                          std::to_string(t.fetch->byte_end));
      r.large_buffers = true;
      // The range's bytes land in one buffer sized up front (no regrowth copies).
      std::string stored;
      stored.reserve(t.fetch->byte_end - t.fetch->byte_start + 1);
      r.on_data = [&stored](const char* data, size_t size) {
        stored.append(data, size);
        return true;
      };
      HttpResponse resp = PerformWithRetry(r, RetryPolicy::kDownload);
      RaiseForStatus(resp);
      // A retry after a dropped connection appends again: then the bytes are not the range.
      if (stored.size() != t.fetch->byte_end - t.fetch->byte_start + 1) {
        BadAnswer("a xorb range came back with the wrong length");
      }
      uint64_t n = WriteTerm(t, stored, fd, partial, m.size - t.file_offset);
      if (sum) sum->Add(static_cast<int64_t>(n));
    });
  } catch (...) {
    ::close(fd);
    throw;
  }
  if (::close(fd) != 0) {
    throw LocalError(ErrorKind::kLocalIo, "cannot write " + partial + ": " + std::strerror(errno));
  }
}

}  // namespace spacehub::client::detail
