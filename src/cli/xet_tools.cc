// `spacehub xet-chunks FILE [--bench] [--blake3 BACKEND] [--range A:B]` (hidden): chunks and
// hashes a file the way a Xet client does, for cross-checks against other implementations and for
// timing. One JSON line per chunk ({"offset","length","hash"}), then {"file_hash","xorb_hash",
// "size"}, with "verification_hash" of chunks [A, B) when asked; --bench prints only that last
// line, with the seconds and MB/s of the whole pass and of its two halves.
#include <charconv>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "xet/blake3.h"
#include "xet/chunker.h"
#include "xet/xet_hash.h"

namespace spacehub::cli {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kReadBuffer = 8 << 20;

struct Options {
  std::string file;
  bool bench = false;
  std::string blake3;
  std::string range;  // "A:B", chunk indices, end exclusive
};

struct Range {
  size_t first = 0;
  size_t end = 0;  // exclusive
};

// "A:B" with A < B; nullopt when malformed.
std::optional<Range> ParseRange(std::string_view text) {
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const std::string_view a = text.substr(0, colon);
  const std::string_view b = text.substr(colon + 1);
  Range r;
  if (a.empty() || b.empty() ||
      std::from_chars(a.data(), a.data() + a.size(), r.first).ptr != a.data() + a.size() ||
      std::from_chars(b.data(), b.data() + b.size(), r.end).ptr != b.data() + b.size() ||
      r.first >= r.end) {
    return std::nullopt;
  }
  return r;
}

const char* BackendName(xet::Blake3Backend backend) {
  switch (backend) {
    case xet::Blake3Backend::kPortable:
      return "portable";
    case xet::Blake3Backend::kSse41:
      return "sse41";
    case xet::Blake3Backend::kAvx2:
      return "avx2";
    case xet::Blake3Backend::kAvx512:
      return "avx512";
  }
  return "?";
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

double MbPerS(uint64_t bytes, double seconds) {
  return seconds > 0 ? static_cast<double>(bytes) / 1e6 / seconds : 0;
}

int XetChunks(const Options& opt) {
  std::optional<Range> range;
  if (!opt.range.empty() && !(range = ParseRange(opt.range))) {
    std::fprintf(stderr, "spacehub xet-chunks: --range wants A:B with A < B\n");
    return 2;
  }
  if (!opt.blake3.empty()) {
    bool known = false;
    for (auto b : {xet::Blake3Backend::kPortable, xet::Blake3Backend::kSse41,
                   xet::Blake3Backend::kAvx2, xet::Blake3Backend::kAvx512}) {
      if (opt.blake3 != BackendName(b)) continue;
      known = true;
      if (!xet::Blake3SetBackend(b)) {
        std::fprintf(stderr, "spacehub xet-chunks: this CPU cannot run %s\n", opt.blake3.c_str());
        return 1;
      }
    }
    if (!known) {
      std::fprintf(stderr, "spacehub xet-chunks: --blake3 is portable, sse41 or avx2\n");
      return 2;
    }
  }
  std::ifstream in(opt.file, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "spacehub xet-chunks: cannot open %s\n", opt.file.c_str());
    return 1;
  }
  std::vector<char> buffer(kReadBuffer);
  std::string carry;  // the start of a chunk that began in an earlier buffer
  xet::Chunker chunker;
  std::vector<size_t> cuts;
  std::vector<xet::ChunkRef> chunks;
  uint64_t offset = 0;
  Clock::duration chunk_time{};
  Clock::duration hash_time{};

  auto emit = [&](std::string_view bytes) {
    const auto t0 = Clock::now();
    chunks.push_back({xet::ChunkHash(bytes), bytes.size()});
    hash_time += Clock::now() - t0;
    if (!opt.bench) {
      std::printf("{\"offset\":%llu,\"length\":%zu,\"hash\":\"%s\"}\n",
                  static_cast<unsigned long long>(offset), bytes.size(),
                  chunks.back().hash.ToHex().c_str());
    }
    offset += bytes.size();
  };

  const auto start = Clock::now();
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const auto got = static_cast<size_t>(in.gcount());
    if (got == 0) break;
    const std::string_view data(buffer.data(), got);
    cuts.clear();
    const auto t0 = Clock::now();
    chunker.Update(data, cuts);
    chunk_time += Clock::now() - t0;
    size_t pos = 0;
    for (size_t length : cuts) {
      if (carry.empty()) {
        emit(data.substr(pos, length));
        pos += length;
      } else {
        const size_t rest = length - carry.size();
        carry.append(data.substr(pos, rest));
        emit(carry);
        carry.clear();
        pos += rest;
      }
    }
    carry.append(data.substr(pos));
  }
  if (in.bad()) {
    std::fprintf(stderr, "spacehub xet-chunks: read error on %s\n", opt.file.c_str());
    return 1;
  }
  if (chunker.Finish() > 0) emit(carry);
  const xet::XetHash xorb = xet::XorbHash(chunks);
  const xet::XetHash file = xet::FileHash(chunks);
  const double seconds = Seconds(Clock::now() - start);
  std::string range_member;
  if (range) {
    if (range->end > chunks.size()) {
      std::fprintf(stderr, "spacehub xet-chunks: --range ends past the %zu chunks\n",
                   chunks.size());
      return 2;
    }
    std::vector<xet::XetHash> hashes;
    hashes.reserve(range->end - range->first);
    for (size_t i = range->first; i < range->end; ++i) hashes.push_back(chunks[i].hash);
    range_member = ",\"verification_hash\":\"" + xet::VerificationHash(hashes).ToHex() + "\"";
  }
  if (!opt.bench) {
    std::printf("{\"file_hash\":\"%s\",\"xorb_hash\":\"%s\",\"size\":%llu%s}\n",
                file.ToHex().c_str(), xorb.ToHex().c_str(), static_cast<unsigned long long>(offset),
                range_member.c_str());
    return 0;
  }
  std::printf(
      "{\"file_hash\":\"%s\",\"xorb_hash\":\"%s\",\"size\":%llu,\"chunks\":%zu,\"blake3\":\"%s\","
      "\"seconds\":%.6f,\"mb_per_s\":%.1f,\"chunker_mb_per_s\":%.1f,\"hash_mb_per_s\":%.1f}\n",
      file.ToHex().c_str(), xorb.ToHex().c_str(), static_cast<unsigned long long>(offset),
      chunks.size(), BackendName(xet::Blake3ActiveBackend()), seconds, MbPerS(offset, seconds),
      MbPerS(offset, Seconds(chunk_time)), MbPerS(offset, Seconds(hash_time)));
  return 0;
}

}  // namespace

Command AddXetChunksCommand(CLI::App& app) {
  // Hidden: a developer's cross-check and benchmark, not a user command.
  CLI::App* cmd = app.add_subcommand("xet-chunks", "")->group("");
  auto opt = std::make_shared<Options>();
  cmd->add_option("file", opt->file, "the file to chunk")->required();
  cmd->add_flag("--bench", opt->bench, "print only the totals and the time taken");
  cmd->add_option("--blake3", opt->blake3,
                  "force a BLAKE3 backend: portable, sse41, avx2 or avx512");
  cmd->add_option("--range", opt->range, "A:B: also print the verification hash of chunks [A, B)");
  return [opt] { return XetChunks(*opt); };
}

}  // namespace spacehub::cli
