#include "client/xet_plan.h"

namespace spacehub::client::detail {

namespace {

// The spec's spacing between global dedup queries.
constexpr uint64_t kDedupQuerySpacing = 4ull << 20;
constexpr uint64_t kDedupEligibleModulus = 1024;

}  // namespace

void DedupIndex::AddShard(const xet::Shard& shard) {
  std::map<xet::XetHash, StoredChunkRef>* map = nullptr;
  for (auto& [key, m] : by_key_) {
    if (key == shard.hmac_key) map = &m;
  }
  if (map == nullptr)
    map = &by_key_.emplace_back(shard.hmac_key, std::map<xet::XetHash, StoredChunkRef>{}).second;
  for (const auto& x : shard.xorbs) {
    for (size_t i = 0; i < x.chunks.size(); ++i) {
      map->emplace(x.chunks[i].hash, StoredChunkRef{x.xorb, static_cast<uint32_t>(i)});
    }
  }
}

std::optional<StoredChunkRef> DedupIndex::Find(const xet::XetHash& chunk) const {
  for (const auto& [key, map] : by_key_) {
    auto it = map.find(key.IsZero() ? chunk : xet::Hmac(chunk, key));
    if (it != map.end()) return it->second;
  }
  return std::nullopt;
}

FilePlan PlanFile(const std::vector<FileChunk>& chunks, const DedupIndex& dedup,
                  uint64_t max_raw_bytes, size_t max_chunks) {
  FilePlan plan;
  // Per new xorb, the ChunkRefs its hash is made of.
  std::vector<std::vector<xet::ChunkRef>> refs;
  // A term being extended: chunks [start, end) of a stored xorb or of new xorb new_index.
  struct Open {
    bool stored = false;
    xet::XetHash xorb;
    size_t new_index = 0;
    uint32_t start = 0, end = 0;
    uint64_t bytes = 0;
    std::vector<xet::XetHash> hashes;
  };
  std::optional<Open> open;
  std::vector<Open> closed;  // terms in order
  auto close = [&] {
    if (open) closed.push_back(std::move(*open));
    open.reset();
  };
  for (size_t i = 0; i < chunks.size(); ++i) {
    const FileChunk& c = chunks[i];
    if (auto hit = dedup.Find(c.hash)) {
      if (!open || !open->stored || open->xorb != hit->xorb || open->end != hit->index) {
        close();
        open = Open{true, hit->xorb, 0, hit->index, hit->index, 0, {}};
      }
    } else {
      bool fits = !plan.xorbs.empty() && plan.xorbs.back().raw_bytes + c.length <= max_raw_bytes &&
                  plan.xorbs.back().chunks.size() < max_chunks;
      if (!fits) {
        plan.xorbs.emplace_back();
        refs.emplace_back();
      }
      NewXorb& x = plan.xorbs.back();
      auto index = static_cast<uint32_t>(x.chunks.size());
      size_t xi = plan.xorbs.size() - 1;
      if (!open || open->stored || open->new_index != xi || open->end != index) {
        close();
        open = Open{false, {}, xi, index, index, 0, {}};
      }
      x.chunks.push_back(i);
      x.raw_bytes += c.length;
      x.stored_bytes += c.length + 8;
      refs[xi].push_back({c.hash, c.length});
      plan.new_bytes += c.length;
    }
    open->end += 1;
    open->bytes += c.length;
    open->hashes.push_back(c.hash);
  }
  close();
  for (size_t i = 0; i < plan.xorbs.size(); ++i) plan.xorbs[i].hash = xet::XorbHash(refs[i]);
  std::vector<xet::ChunkRef> all;
  all.reserve(chunks.size());
  for (const auto& c : chunks) all.push_back({c.hash, c.length});
  plan.file_hash = xet::FileHash(all);
  for (const Open& t : closed) {
    xet::FileTerm term;
    term.xorb = t.stored ? t.xorb : plan.xorbs[t.new_index].hash;
    term.unpacked_bytes = static_cast<uint32_t>(t.bytes);
    term.chunk_start = t.start;
    term.chunk_end = t.end;
    term.verification = xet::VerificationHash(t.hashes);
    plan.terms.push_back(term);
  }
  return plan;
}

std::vector<size_t> DedupQueryChunks(const std::vector<FileChunk>& chunks) {
  std::vector<size_t> out;
  uint64_t last = 0;
  for (size_t i = 0; i < chunks.size(); ++i) {
    bool eligible = i == 0 || chunks[i].hash.Mod(kDedupEligibleModulus) == 0;
    if (!eligible) continue;
    if (i > 0 && !out.empty() && chunks[i].offset - last < kDedupQuerySpacing) continue;
    out.push_back(i);
    last = chunks[i].offset;
  }
  return out;
}

void FollowDedup(const std::vector<FileChunk>& chunks, const DedupIndex& dedup,
                 const std::function<void(size_t)>& query, size_t stride) {
  bool prev_known = false;
  size_t unknown_run = 0;
  for (size_t i = 0; i < chunks.size(); ++i) {
    bool known = dedup.Find(chunks[i].hash).has_value();
    if (!known && (prev_known || unknown_run % stride == 0)) {
      query(i);
      known = dedup.Find(chunks[i].hash).has_value();
    }
    unknown_run = known ? 0 : unknown_run + 1;
    prev_known = known;
  }
}

xet::Shard BuildUploadShard(const std::vector<ShardFile>& files) {
  xet::Shard shard;
  for (const auto& f : files) {
    xet::FileInfo info;
    info.file_hash = f.plan->file_hash;
    info.terms = f.plan->terms;
    info.sha256 = xet::XetHash::FromHex(f.sha256_hex);
    shard.files.push_back(std::move(info));
    for (const auto& x : f.plan->xorbs) {
      xet::CasInfo cas;
      cas.xorb = x.hash;
      cas.stored_bytes = static_cast<uint32_t>(x.stored_bytes);
      uint32_t at = 0;
      for (size_t i : x.chunks) {
        const FileChunk& c = (*f.chunks)[i];
        cas.chunks.push_back({c.hash, at, c.length});
        at += c.length;
      }
      cas.unpacked_bytes = at;
      shard.xorbs.push_back(std::move(cas));
    }
  }
  return shard;
}

}  // namespace spacehub::client::detail
