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
#include "client/run_writer.h"
#include "client/xet_upload.h"
#include "xet/xorb_format.h"

namespace spacehub::client::detail {

using nlohmann::json;

namespace {

// Terms are fetched two at a time: one stream would leave the network idle while a term is
// written, and on 2 cores four were no faster (0.84–0.87 s vs 0.86–0.93 s for 1 GiB with O_DIRECT
// writes) while holding twice the buffers.
constexpr int kMaxTermWorkers = 2;

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

// Decodes one term's fetched range as it arrives (it begins at chunk t.fetch->chunk_start) and
// writes chunks [t.start, t.end), from byte t.skip of the term on and at most `limit` bytes, at
// t.file_offset. Raw chunks (the usual case: weights do not compress) go from the network buffer
// into the RunWriter's blocks; compressed ones are gathered and decoded first. Runs inside
// libcurl's write callback, so it never throws: the first error stops the transfer and is kept for
// Finish.
class TermWriter final {
 public:
  TermWriter(const Term& t, OutputFile& file, uint64_t limit)
      : t_(t), file_(file), limit_(limit), index_(t.fetch->chunk_start) {}

  bool Feed(const char* data, size_t size) {
    fed_ += size;
    while (size > 0 && error_.empty()) {
      if (header_.size() < xet::kChunkHeaderBytes) {
        size_t take = std::min(size, xet::kChunkHeaderBytes - header_.size());
        header_.append(data, take);
        data += take;
        size -= take;
        if (header_.size() == xet::kChunkHeaderBytes) StartChunk();
        continue;
      }
      size_t take = static_cast<size_t>(std::min<uint64_t>(size, left_));
      if (index_ >= t_.start && index_ < t_.end) {
        if (raw_) {
          Emit(std::string_view(data, take));
        } else {
          stored_.append(data, take);
        }
      }
      data += take;
      size -= take;
      left_ -= take;
      if (left_ == 0) EndChunk();
    }
    return error_.empty();
  }

  // After the transfer: writes what is left, then the error, else "" when the whole range and
  // the whole term arrived.
  std::string Finish(uint64_t expected) {
    if (error_.empty() && out_) {
      error_ = out_->Finish();
      write_failed_ = !error_.empty();
    }
    if (!error_.empty()) return error_;
    if (fed_ != expected) return "a xorb range came back with the wrong length";
    if (index_ < t_.end || term_pos_ != t_.unpacked) return "a term decodes to the wrong size";
    return "";
  }
  uint64_t written() const { return written_; }
  // Whether the error is the file's (not the answer's).
  bool write_failed() const { return write_failed_; }

 private:
  void StartChunk() {
    const auto* h = reinterpret_cast<const unsigned char*>(header_.data());
    left_ = h[1] | (h[2] << 8) | (h[3] << 16);
    raw_ = h[0] == 0 && h[4] == static_cast<uint8_t>(xet::Compression::kNone);
    stored_ = raw_ ? std::string() : header_;
    if (left_ == 0) EndChunk();
  }

  void EndChunk() {
    if (!raw_ && index_ >= t_.start && index_ < t_.end) {
      std::string out;
      Status st = xet::DecodeChunk(stored_, out);
      if (!st.ok()) {
        error_ = st.message();
        return;
      }
      Emit(out);
    }
    header_.clear();
    ++index_;
  }

  void Emit(std::string_view data) {
    uint64_t begin = term_pos_, end = term_pos_ + data.size();
    term_pos_ = end;
    uint64_t from = std::max<uint64_t>(begin, t_.skip);
    uint64_t to = std::min<uint64_t>(end, t_.skip + limit_);
    if (from >= to) return;
    std::string_view part = data.substr(from - begin, to - from);
    if (!out_) out_.emplace(file_, t_.file_offset + (from - t_.skip));
    error_ = out_->Append(part);
    write_failed_ = !error_.empty();
    written_ += part.size();
  }

  const Term& t_;
  OutputFile& file_;
  uint64_t limit_;
  uint32_t index_;      // the chunk arriving now, counted in the xorb
  std::string header_;  // the current chunk's header, as far as it has arrived
  std::string stored_;  // a compressed chunk's header and data, as far as they have arrived
  uint64_t left_ = 0;   // data bytes of the current chunk still to come
  bool raw_ = false;
  uint64_t term_pos_ = 0, written_ = 0, fed_ = 0;
  std::optional<RunWriter> out_;  // from the first byte of the window on
  bool write_failed_ = false;
  std::string error_;
};

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
  json answer = GetJson(impl.Make("GET", m.xet_auth_url));
  auto auth = CasAuth(answer.value("casUrl", ""), answer.value("accessToken", ""));
  if (!auth) BadAnswer("the token answer lacks accessToken or casUrl");
  HttpRequest rr;
  rr.url = auth->cas_url + "/v2/reconstructions/" + m.xet_hash;
  rr.headers.push_back("Authorization: Bearer " + auth->token);
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

  // Terms are written side by side, so the file has holes until the last one is in: it is built
  // under another name and becomes `partial` only whole. (A run killed half-way must not leave a
  // `partial` whose size the next run takes for bytes received in order, and resumes after.)
  const std::string building = partial + ".xet";
  std::optional<ProgressSum> sum;
  if (progress && *progress) sum.emplace(*progress, label, m.size);
  OutputFile out(building);
  try {
    int workers = std::clamp(impl.options().max_workers, 1, kMaxTermWorkers);
    ParallelFor(terms.size(), workers, [&](size_t i) {
      const Term& t = terms[i];
      if (t.file_offset >= m.size) return;
      HttpRequest r;
      r.url = t.fetch->url;
      r.headers.push_back("Range: bytes=" + std::to_string(t.fetch->byte_start) + "-" +
                          std::to_string(t.fetch->byte_end));
      r.large_buffers = true;
      TermWriter writer(t, out, m.size - t.file_offset);
      r.on_data = [&writer](const char* data, size_t size) { return writer.Feed(data, size); };
      HttpResponse resp = PerformWithRetry(r, RetryPolicy::kDownload);
      RaiseForStatus(resp);
      // A retry after a dropped connection feeds the range again: the length check catches it.
      std::string error = writer.Finish(t.fetch->byte_end - t.fetch->byte_start + 1);
      if (!error.empty() && writer.write_failed()) {  // a full disk: a plain GET cannot help
        throw LocalError(ErrorKind::kLocalIo, "cannot write " + building + ": " + error);
      }
      if (!error.empty()) BadAnswer(error);
      uint64_t n = writer.written();
      if (sum) sum->Add(static_cast<int64_t>(n));
    });
    if (!out.Close()) {
      throw LocalError(ErrorKind::kLocalIo,
                       "cannot write " + building + ": " + std::strerror(errno));
    }
    if (::rename(building.c_str(), partial.c_str()) != 0) {
      throw LocalError(ErrorKind::kLocalIo,
                       "cannot rename " + building + ": " + std::strerror(errno));
    }
  } catch (...) {
    out.Close();
    ::unlink(building.c_str());
    throw;
  }
}

}  // namespace spacehub::client::detail
