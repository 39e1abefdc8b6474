#include "service/xet_service.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <filesystem>
#include <map>
#include <set>

#include "core/crypto.h"
#include "core/mutex.h"
#include "service/xet_records.h"
#include "service/xet_scan.h"
#include "xet/shard_format.h"
#include "xet/xorb_format.h"

namespace spacehub::service {
namespace {

constexpr uint64_t kMaxShardBytes = 64ull * 1024 * 1024;
constexpr size_t kDedupXorbs = 64;  // xorbs described in one dedup answer
constexpr int64_t kDedupKeyExpiry = 7 * 24 * 3600;

Result<xet::XetHash> ParseHash(std::string_view hex, std::string_view what) {
  auto h = xet::XetHash::FromHex(hex);
  if (!h)
    return Status::InvalidArgument("Malformed " + std::string(what) + " hash '" +
                                   std::string(hex.substr(0, 80)) + "'");
  return *h;
}

template <typename T>
bool ToNumber(std::string_view s, T& v) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size();
}

std::string XorbUrlMessage(std::string_view xorb, std::string_view range,
                           std::string_view expires) {
  return "xet-xorb\n" + std::string(xorb) + "\n" + std::string(range) + "\n" + std::string(expires);
}

}  // namespace

Result<XetTokenAnswer> XetService::IssueToken(const Caller& who, const RepoId& id,
                                              const std::string& rev, bool write) {
  SH_ASSIGN_OR_RETURN(db::RepoRow row,
                      write ? RequireWritable(hub_, who, id) : RequireReadable(hub_, who, id));
  // A write token may name a branch that the commit will create; a read token names one that is.
  if (!write) SH_TRY(hub_.repos.ResolveRevision(row.repo, rev).status());
  XetGrant g;
  g.repo_id = row.id;
  g.write = write;
  if (who) {
    g.user_id = who->user.id;
    g.role = static_cast<int>(who->token.role);
  }
  g.expires_at = hub_.clock.NowMillis() / 1000 + hub_.options.xet_token_ttl_seconds;
  return XetTokenAnswer{IssueXetToken(hub_, g), g.expires_at};
}

Result<bool> XetService::MayUseXorb(const XetGrant& grant, std::string_view xorb) {
  SH_ASSIGN_OR_RETURN(std::vector<int64_t> repos, hub_.db.xet().XorbRepos(xorb));
  if (std::find(repos.begin(), repos.end(), grant.repo_id) != repos.end()) return true;
  for (int64_t id : repos) {
    auto row = hub_.db.FindRepoById(id);
    if (row.ok() && auth::CanRead(grant.caller, *row)) return true;
  }
  return false;
}

Result<std::unique_ptr<XorbUpload>> XetService::BeginXorb(const XetGrant& grant,
                                                          std::string_view hash,
                                                          std::optional<uint64_t> length) {
  if (!grant.write) {
    return Status::PermissionDenied("This Xet token is read-only; request a write token");
  }
  SH_ASSIGN_OR_RETURN(xet::XetHash expected, ParseHash(hash, "xorb"));
  if (length && *length > xet::kMaxXorbBytes) {  // the parser's own limit, known from the head
    return Status::InvalidArgument("xorb: larger than " + std::to_string(xet::kMaxXorbBytes) +
                                   " bytes");
  }
  // A xorb stored already is checked as it comes but not written twice.
  std::unique_ptr<repo::XorbWriter> writer;
  if (!hub_.xorbs.Exists(expected.ToHex())) {
    SH_ASSIGN_OR_RETURN(writer, hub_.xorbs.Begin());
  }
  return std::make_unique<XorbUpload>(hub_, grant, expected, std::move(writer));
}

Result<bool> XetService::UploadXorb(const XetGrant& grant, std::string_view hash,
                                    std::string_view body) {
  SH_ASSIGN_OR_RETURN(std::unique_ptr<XorbUpload> upload, BeginXorb(grant, hash, body.size()));
  SH_TRY(upload->Write(body));
  return upload->Finish();
}

Result<int> XetService::UploadShard(const XetGrant& grant, std::string_view body) {
  SH_ASSIGN_OR_RETURN(xet::Shard shard, ParseShardBody(body));
  SH_ASSIGN_OR_RETURN(ShardAdmission::Ticket ticket, AdmitShardCheck(grant));
  return RecordShard(grant, shard);
}

Result<ShardAdmission::Ticket> XetService::AdmitShardCheck(const XetGrant& grant) {
  return admission_.Admit(grant.user_id);
}

Result<xet::Shard> XetService::ParseShardBody(std::string_view body) {
  if (body.size() > kMaxShardBytes) {
    return Status::InvalidArgument("A shard may be at most 64 MiB");
  }
  return xet::ParseShard(body);
}

Status XetService::ShardCheck::StillWanted() const {
  if (progress && !progress->Wanted()) {
    return Status::Unavailable("The shard's upload was abandoned before it was checked");
  }
  return Status::Ok();
}

Result<int> XetService::RecordShard(const XetGrant& grant, const xet::Shard& shard,
                                    ShardProgress* progress) {
  // Xorbs the shard lists must have been uploaded.
  for (const auto& x : shard.xorbs) {
    SH_ASSIGN_OR_RETURN(bool stored, hub_.db.xet().HasXorb(x.xorb.ToHex()));
    if (!stored) {
      return Status::InvalidArgument("The shard lists xorb " + x.xorb.ToHex() +
                                     ", which was not uploaded");
    }
  }
  ShardCheck check;
  check.progress = progress;
  std::vector<db::XetFileRow> rows;
  std::set<std::string> used;
  int result = 0;
  const uint64_t total = shard.files.size();
  if (progress) progress->Validating(0, total);
  for (const auto& f : shard.files) {
    SH_TRY(check.StillWanted());
    SH_ASSIGN_OR_RETURN(db::XetFileRow row, CheckFile(grant, f, check));
    if (progress) progress->Validating(rows.size() + 1, total);
    SH_ASSIGN_OR_RETURN(bool in_repo, hub_.db.xet().FileInRepo(row.file_hash, grant.repo_id));
    if (!in_repo) result = 1;
    used.insert(row.xorbs.begin(), row.xorbs.end());
    rows.push_back(std::move(row));
  }
  SH_TRY(check.StillWanted());
  if (progress) progress->Committing();
  Status added = hub_.db.xet().AddFiles(rows, std::vector<std::string>(used.begin(), used.end()),
                                        grant.repo_id);
  if (added.code() == Code::kNotFound) {  // swept while the shard was checked
    return Status::InvalidArgument("The shard uses a xorb that is no longer stored (" +
                                   added.message() + "); upload the file again");
  }
  SH_TRY(added);
  return result;
}

Result<db::XetFileRow> XetService::CheckFile(const XetGrant& grant, const xet::FileInfo& f,
                                             ShardCheck& check) {
  const std::string file = f.file_hash.ToHex();
  std::vector<xet::ChunkRef> chunks;
  std::vector<StoredTerm> terms;
  std::set<std::string> file_xorbs;
  uint64_t size = 0;
  for (const auto& t : f.terms) {
    std::string hex = t.xorb.ToHex();
    auto it = check.xorbs.find(t.xorb);
    if (it == check.xorbs.end()) {
      SH_ASSIGN_OR_RETURN(auto xorb, hub_.db.xet().FindXorb(hex));
      SH_ASSIGN_OR_RETURN(bool may, xorb ? MayUseXorb(grant, hex) : Result<bool>(false));
      // A missing xorb and one of a repo the uploader cannot read look the same: no oracle.
      if (!xorb || !may) {
        return Status::InvalidArgument(fmt::format(
            "File {} uses xorb {}, which is not available to this repository", file, hex));
      }
      SH_ASSIGN_OR_RETURN(std::vector<StoredChunk> list, UnpackChunks(xorb->chunks));
      it = check.xorbs.emplace(t.xorb, std::move(list)).first;
    }
    const auto& list = it->second;
    if (t.chunk_end > list.size() || t.chunk_start >= t.chunk_end) {
      return Status::InvalidArgument(
          fmt::format("A term of file {} names chunks past the end of xorb {}", file, hex));
    }
    uint64_t unpacked = 0;
    std::vector<xet::XetHash> range_hashes;
    range_hashes.reserve(t.chunk_end - t.chunk_start);
    for (uint32_t c = t.chunk_start; c < t.chunk_end; ++c) {
      chunks.push_back({list[c].hash, list[c].unpacked_bytes});
      range_hashes.push_back(list[c].hash);
      unpacked += list[c].unpacked_bytes;
    }
    if (unpacked != t.unpacked_bytes) {
      return Status::InvalidArgument("A term of file " + file + " says " +
                                     std::to_string(t.unpacked_bytes) + " bytes; its chunks hold " +
                                     std::to_string(unpacked));
    }
    if (!t.verification || *t.verification != xet::VerificationHash(range_hashes)) {
      return Status::InvalidArgument("A term of file " + file +
                                     " has a missing or wrong verification hash");
    }
    terms.push_back({t.xorb, t.chunk_start, t.chunk_end, t.unpacked_bytes});
    file_xorbs.insert(hex);
    size += unpacked;
    // Terms are cheap to write and each SHA-256 check reads its whole file: bound what one shard
    // can make the hub read, as one LFS upload is bounded.
    check.bytes += unpacked;
    if (check.bytes > hub_.options.max_lfs_object_bytes) {
      return Status::InvalidArgument("The files of this shard are larger than this hub accepts");
    }
  }
  if (xet::FileHash(chunks) != f.file_hash) {
    return Status::InvalidArgument("The terms of file " + file + " hash to " +
                                   xet::FileHash(chunks).ToHex());
  }
  db::XetFileRow row;
  row.file_hash = file;
  row.size = size;
  row.terms = PackTerms(terms);
  row.xorbs.assign(file_xorbs.begin(), file_xorbs.end());
  if (f.sha256) {
    // Stored like every hash of the format: its string form is the usual SHA-256 hex.
    row.sha256 = f.sha256->ToHex();
    SH_TRY(CheckSha256(row, check));
  }
  return row;
}

Status XetService::CheckSha256(const db::XetFileRow& row, const ShardCheck& check) {
  // A SHA-256 is what git and git-lfs name the file by: check it against the bytes, once per
  // file (the same file hash is the same bytes, so a recorded SHA-256 is the one).
  SH_ASSIGN_OR_RETURN(auto existing, hub_.db.xet().FindFile(row.file_hash));
  if (existing && existing->sha256 == row.sha256) return Status::Ok();
  Sha256Stream sha;
  SH_TRY(ScanXetFile(hub_, row, [&sha, &check](std::string_view bytes) {
    sha.Update(bytes.data(), bytes.size());
    return check.StillWanted();  // a file of many GiB: its client may have left meanwhile
  }));
  if (sha.FinishHex() != row.sha256) {
    return Status::InvalidArgument("File " + row.file_hash +
                                   " does not have the SHA-256 its shard states");
  }
  return Status::Ok();
}

Result<std::string> XetService::DedupQuery(const XetGrant& grant, std::string_view chunk_hash) {
  SH_ASSIGN_OR_RETURN(xet::XetHash chunk, ParseHash(chunk_hash, "chunk"));
  SH_ASSIGN_OR_RETURN(auto places, hub_.db.xet().FindChunk(chunk.ToHex(), 16));
  std::vector<std::string> xorbs;
  for (const auto& p : places) {
    SH_ASSIGN_OR_RETURN(bool may, MayUseXorb(grant, p.xorb_hash));
    if (may) xorbs.push_back(p.xorb_hash);
  }
  if (xorbs.empty()) return Status::NotFound("Chunk not found");
  // The other xorbs of the files those belong to: a client re-uploading a changed file asks about
  // its first chunk only (@huggingface/hub) and dedups against whatever the answer describes.
  std::set<std::string> listed(xorbs.begin(), xorbs.end());
  const size_t direct = xorbs.size();
  for (size_t i = 0; i < direct && listed.size() < kDedupXorbs; ++i) {
    SH_ASSIGN_OR_RETURN(auto more, hub_.db.xet().XorbsOfFilesUsing(xorbs[i], kDedupXorbs));
    for (auto& x : more) {
      if (listed.size() >= kDedupXorbs || listed.count(x)) continue;
      SH_ASSIGN_OR_RETURN(bool may, MayUseXorb(grant, x));
      if (!may) continue;
      listed.insert(x);
      xorbs.push_back(std::move(x));
    }
  }
  xet::Shard shard;
  std::string key = RandomBytes(32);  // fresh per answer: the chunk hashes stay opaque
  std::copy(key.begin(), key.end(), shard.hmac_key.bytes.begin());
  shard.creation_time = static_cast<uint64_t>(hub_.clock.NowMillis() / 1000);
  shard.key_expiry = shard.creation_time + kDedupKeyExpiry;
  for (const auto& hex : xorbs) {
    if (shard.xorbs.size() >= kDedupXorbs) break;
    SH_ASSIGN_OR_RETURN(auto row, hub_.db.xet().FindXorb(hex));
    if (!row) continue;
    SH_ASSIGN_OR_RETURN(std::vector<StoredChunk> list, UnpackChunks(row->chunks));
    xet::CasInfo info;
    info.xorb = *xet::XetHash::FromHex(hex);
    info.unpacked_bytes = static_cast<uint32_t>(row->unpacked_bytes);
    info.stored_bytes = static_cast<uint32_t>(row->stored_bytes);
    info.chunks.reserve(list.size());
    uint32_t unpacked_at = 0;  // the format places chunks by their offset in the raw data
    for (const auto& c : list) {
      info.chunks.push_back({xet::Hmac(c.hash, shard.hmac_key), unpacked_at, c.unpacked_bytes});
      unpacked_at += c.unpacked_bytes;
    }
    shard.xorbs.push_back(std::move(info));
  }
  return xet::SerializeShard(shard);
}

Result<std::optional<db::XetFileRow>> XetService::RepoFile(int64_t repo_id,
                                                           const xet::XetHash& file_hash) {
  std::string hex = file_hash.ToHex();
  SH_ASSIGN_OR_RETURN(auto file, hub_.db.xet().FindFile(hex));
  if (!file) return file;
  SH_ASSIGN_OR_RETURN(bool in_repo, hub_.db.xet().FileInRepo(hex, repo_id));
  // A file reaches a repo by a shard uploaded to it, or as the LFS object of a commit copied from
  // a repo that had it (Space duplication links the object, not the file).
  if (!in_repo && !file->sha256.empty()) {
    SH_ASSIGN_OR_RETURN(in_repo, hub_.db.HasLfsObject(repo_id, file->sha256));
  }
  if (!in_repo) return std::optional<db::XetFileRow>();
  return file;
}

Result<XetReconstruction> XetService::Reconstruct(
    const XetGrant& grant, std::string_view file_hash,
    std::optional<std::pair<uint64_t, uint64_t>> range) {
  SH_ASSIGN_OR_RETURN(xet::XetHash h, ParseHash(file_hash, "file"));
  std::string hex = h.ToHex();
  SH_ASSIGN_OR_RETURN(auto file, RepoFile(grant.repo_id, h));
  if (!file) return Status::NotFound("File " + hex + " not found in this repository");
  uint64_t first = 0;
  uint64_t last = file->size == 0 ? 0 : file->size - 1;
  if (range) {
    if (range->first >= file->size) {
      return Status::RangeNotSatisfiable("The range starts past the end of the file");
    }
    first = range->first;
    last = std::min(range->second, last);
  }
  SH_ASSIGN_OR_RETURN(std::vector<StoredTerm> terms, UnpackTerms(file->terms));
  XetReconstruction out;
  std::map<xet::XetHash, std::vector<StoredChunk>> cache;
  uint64_t at = 0;  // file offset of the current chunk
  bool started = false;
  for (const auto& t : terms) {
    auto it = cache.find(t.xorb);
    if (it == cache.end()) {
      SH_ASSIGN_OR_RETURN(auto row, hub_.db.xet().FindXorb(t.xorb.ToHex()));
      if (!row) return Status::Internal("A xorb of file " + hex + " is gone");
      SH_ASSIGN_OR_RETURN(auto list, UnpackChunks(row->chunks));
      it = cache.emplace(t.xorb, std::move(list)).first;
    }
    const auto& list = it->second;
    std::optional<XetReconTerm> term;
    for (uint32_t c = t.chunk_start; c < t.chunk_end && c < list.size(); ++c) {
      uint64_t chunk_end = at + list[c].unpacked_bytes;  // exclusive
      bool overlaps = file->size == 0 || (chunk_end > first && at <= last);
      if (overlaps) {
        if (!started) {
          out.offset_into_first_range = first - at;
          started = true;
        }
        if (!term) {
          term = XetReconTerm{t.xorb.ToHex(), c, c, 0, list[c].offset, 0};
        }
        term->chunk_end = c + 1;
        term->unpacked_bytes += list[c].unpacked_bytes;
        term->byte_end = static_cast<uint64_t>(list[c].offset) + list[c].stored_bytes - 1;
      }
      at = chunk_end;
    }
    if (term) out.terms.push_back(std::move(*term));
    if (at > last && started) break;
  }
  return out;
}

Result<uint64_t> XetService::FileSize(const XetGrant& grant, std::string_view file_hash) {
  SH_ASSIGN_OR_RETURN(xet::XetHash h, ParseHash(file_hash, "file"));
  SH_ASSIGN_OR_RETURN(auto file, RepoFile(grant.repo_id, h));
  if (!file) return Status::NotFound("File not found");
  return file->size;
}

Result<uint64_t> XetService::XorbSize(const XetGrant& grant, std::string_view xorb_hash) {
  SH_ASSIGN_OR_RETURN(xet::XetHash h, ParseHash(xorb_hash, "xorb"));
  SH_ASSIGN_OR_RETURN(auto row, hub_.db.xet().FindXorb(h.ToHex()));
  SH_ASSIGN_OR_RETURN(bool may, row ? MayUseXorb(grant, h.ToHex()) : Result<bool>(false));
  if (!row || !may) return Status::NotFound("Xorb not found");
  return row->stored_bytes;
}

std::string XetService::SignedXorbPath(std::string_view xorb, uint64_t start, uint64_t end) const {
  std::string range = std::to_string(start) + "-" + std::to_string(end);
  std::string exp =
      std::to_string(hub_.clock.NowMillis() / 1000 + hub_.options.xet_token_ttl_seconds);
  std::string sig = HmacSha256Hex(hub_.options.lfs_signing_key, XorbUrlMessage(xorb, range, exp));
  return "/cas/xorb-data/" + std::string(xorb) + "/" + range + "/" + exp + "/" + sig;
}

Result<XetXorbWindow> XetService::CheckXorbPath(std::string_view xorb, std::string_view range,
                                                std::string_view expires,
                                                std::string_view signature) const {
  std::string expected =
      HmacSha256Hex(hub_.options.lfs_signing_key, XorbUrlMessage(xorb, range, expires));
  if (!ConstantTimeEquals(expected, signature)) {
    return Status::PermissionDenied("Invalid xorb URL signature");
  }
  int64_t exp = 0;
  size_t dash = range.find('-');
  XetXorbWindow w;
  if (!ToNumber(expires, exp) || dash == std::string_view::npos ||
      !ToNumber(range.substr(0, dash), w.start) || !ToNumber(range.substr(dash + 1), w.end)) {
    return Status::InvalidArgument("Malformed xorb URL");
  }
  if (exp < hub_.clock.NowMillis() / 1000) {
    return Status::PermissionDenied("This xorb URL has expired; ask for a new reconstruction");
  }
  w.path = hub_.xorbs.Path(xorb).string();
  if (w.path.empty() || !hub_.xorbs.Exists(xorb)) return Status::NotFound("Xorb not found");
  return w;
}

Result<std::optional<db::XetFileRow>> XetService::FileForObject(int64_t repo_id,
                                                                std::string_view sha256) {
  SH_ASSIGN_OR_RETURN(bool linked, hub_.db.HasLfsObject(repo_id, sha256));
  if (!linked) return std::optional<db::XetFileRow>();
  return hub_.db.xet().FindFileBySha256(sha256);
}

Result<std::unique_ptr<XetFileReader>> XetService::OpenFile(const db::XetFileRow& file) {
  return XetFileReader::Open(hub_, file);
}

Result<size_t> XetService::Sweep(int64_t created_before) {
  size_t removed = 0;
  // Xorbs no live repository reaches. Each row goes first, in one transaction with the check that
  // nothing reaches it (a shard recorded meanwhile keeps it); then its bytes, under the hash's lock
  // so that an upload of the same xorb cannot record a row for bytes about to go.
  while (true) {
    SH_ASSIGN_OR_RETURN(auto batch, hub_.db.xet().UnreachableXorbs(created_before, 256));
    if (batch.empty()) break;
    size_t deleted = 0;
    for (const auto& hex : batch) {
      MutexLock lock(hub_.xorbs.HashMutex(hex));
      SH_ASSIGN_OR_RETURN(bool gone, hub_.db.xet().DeleteXorbIfUnreachable(hex, created_before));
      if (!gone) continue;
      SH_TRY(hub_.xorbs.Remove(hex));
      ++deleted;
    }
    removed += deleted;
    if (deleted == 0) break;  // all of this batch was taken meanwhile; the next sweep looks again
  }
  // Bytes whose row never came: the hub was killed between a xorb's rename and its row (or its
  // row's write failed). Only those older than the grace: an upload in flight writes its row next.
  std::vector<std::string> unrecorded;
  const auto cutoff = std::chrono::file_clock::from_sys(
      std::chrono::sys_seconds(std::chrono::seconds(created_before)));
  SH_TRY(hub_.xorbs.ForEach([&](std::string_view hash, std::filesystem::file_time_type written) {
    if (written < cutoff) unrecorded.emplace_back(hash);
  }));
  for (const auto& hex : unrecorded) {
    MutexLock lock(hub_.xorbs.HashMutex(hex));
    SH_ASSIGN_OR_RETURN(bool recorded, hub_.db.xet().HasXorb(hex));
    if (recorded) continue;
    SH_TRY(hub_.xorbs.Remove(hex));
    ++removed;
  }
  return removed;
}

}  // namespace spacehub::service
