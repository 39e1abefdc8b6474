#include "repo/lfs_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <system_error>

#include "core/crypto.h"
#include "repo/fs_util.h"
#include "repo/staged_file.h"

namespace spacehub::repo {
namespace {

constexpr size_t kCopyChunk = 4 << 20;
constexpr size_t kCopyAlign = 4096;  // O_DIRECT reads: buffer aligned to the logical block

bool ValidOid(std::string_view oid) { return IsHex(oid, 64); }

Status BadOid(std::string_view oid) {
  return Status::InvalidArgument("Invalid LFS oid '" + std::string(oid) +
                                 "': expected 64 lowercase hex digits");
}

constexpr size_t kTokenBytes = 16;  // a part version's token: 32 hex digits
constexpr size_t kMaxChains = 16;   // in-order assemblies at once (each holds two threads)
constexpr auto kChainIdle = std::chrono::hours(1);

bool ValidToken(std::string_view t) { return IsHex(t, kTokenBytes * 2); }

Status SameHash(std::string_view oid, std::string_view sha) {
  if (sha == oid) return Status::Ok();
  return Status::InvalidArgument("SHA-256 mismatch: expected " + std::string(oid) + ", got " +
                                 std::string(sha));
}

std::string PartFileName(int part_number, std::string_view token) {
  return std::to_string(part_number) + "." + std::string(token) + ".part";
}

class ObjectWriter final : public LfsStore::Writer {
 public:
  ObjectWriter(std::string oid, uint64_t size, std::filesystem::path target)
      : oid_(std::move(oid)),
        target_(std::move(target)),
        file_({.expected = size, .direct = true}) {}

  Status Open(std::filesystem::path temp) { return file_.Open(std::move(temp)); }
  Status Write(std::string_view chunk) override {
    if (done_) return Status::InvalidArgument("Upload already finished");
    return file_.Write(chunk);
  }
  Status Commit() override {
    if (done_) return Status::InvalidArgument("Upload already finished");
    done_ = true;
    Status st = Publish();
    file_.Discard();  // whatever happened, no temp file outlives Commit()
    return st;
  }

 private:
  Status Publish() {
    SH_ASSIGN_OR_RETURN(std::string sha, file_.Finish());
    SH_TRY(SameHash(oid_, sha));
    std::error_code ec;
    // Content-addressed: an existing object has these very bytes; the temp file is dropped.
    if (std::filesystem::exists(target_, ec)) return Status::Ok();
    SH_TRY(file_.MoveTo(target_));
    return fs::FsyncDir(target_.parent_path().parent_path());
  }

  std::string oid_;
  std::filesystem::path target_;
  StagedFile file_;
  bool done_ = false;
};

// An upload of an object already stored: its bytes are hashed and not written (the upload proves
// the uploader has them, which is what links the object to a repo). Writing 1 GiB again only to
// unlink it cost the disk write and 0.18 s of unlink before the answer.
class VerifyingWriter final : public LfsStore::Writer {
 public:
  VerifyingWriter(std::string oid, uint64_t size, std::filesystem::path target)
      : oid_(std::move(oid)), size_(size), target_(std::move(target)) {}

  Status Write(std::string_view chunk) override {
    if (done_) return Status::InvalidArgument("Upload already finished");
    SH_TRY(RoomFor(size_, written_, chunk.size()));
    sha_.Update(chunk.data(), chunk.size());
    written_ += chunk.size();
    return Status::Ok();
  }

  Status Commit() override {
    if (done_) return Status::InvalidArgument("Upload already finished");
    done_ = true;
    SH_TRY(SameSize(size_, written_));
    SH_TRY(SameHash(oid_, sha_.FinishHex()));
    std::error_code ec;
    if (!std::filesystem::is_regular_file(target_, ec)) {
      return Status::Unavailable("The stored object went away during the upload; send it again");
    }
    return Status::Ok();
  }

 private:
  std::string oid_;
  uint64_t size_;
  std::filesystem::path target_;
  Sha256Stream sha_;
  uint64_t written_ = 0;
  bool done_ = false;
};

// A part that does not extend the in-order assembly is kept as "<n>.<token>.part", written around
// the page cache like a whole object. The token is its ETag: the completion finds the very
// version each ETag names (the whole object's hash checks every byte). A committed part replaces
// earlier versions (two re-sends of one part racing each other may remove each other's; the
// completion then names the part as missing, and the client sends it again).
class PartFileWriter final : public LfsStore::PartWriter {
 public:
  PartFileWriter(uint64_t size, std::filesystem::path dir, int part_number)
      : dir_(std::move(dir)),
        part_number_(part_number),
        token_(RandomHex(kTokenBytes)),
        file_({.expected = size, .direct = true, .sha256 = false}) {}

  Status Open() {
    return file_.Open(dir_ / (std::to_string(part_number_) + "." + token_ + ".tmp"));
  }
  Status Write(std::string_view chunk) override {
    if (done_) return Status::InvalidArgument("Part already finished");
    return file_.Write(chunk);
  }
  Result<std::string> Commit() override {
    if (done_) return Status::InvalidArgument("Part already finished");
    done_ = true;
    auto finished = file_.Finish();
    Status st =
        finished.ok() ? file_.MoveTo(dir_ / PartFileName(part_number_, token_)) : finished.status();
    file_.Discard();
    if (!st.ok()) return st;
    RemoveOtherVersions();
    return "\"" + token_ + "\"";
  }

 private:
  void RemoveOtherVersions() {
    const std::string prefix = std::to_string(part_number_) + ".";
    const std::string mine = PartFileName(part_number_, token_);
    std::error_code ec;
    std::vector<std::filesystem::path> old;
    for (auto it = std::filesystem::directory_iterator(dir_, ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
      std::string name = it->path().filename().string();
      if (name.size() == mine.size() && name.starts_with(prefix) && name.ends_with(".part") &&
          name != mine) {
        old.push_back(it->path());
      }
    }
    for (const auto& p : old) std::filesystem::remove(p, ec);
  }

  std::filesystem::path dir_;
  int part_number_;
  std::string token_;
  StagedFile file_;
  bool done_ = false;
};

std::string_view Unquote(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  return etag;
}

// Streams [offset, offset + length) of the file at `path` into `out` (which hashes what it is
// given). Parts and assemblies were written around the page cache, so they are read the same way
// where the file system allows it: straight from the disk into an aligned buffer.
Status CopyRange(const std::filesystem::path& path, uint64_t offset, uint64_t length,
                 LfsStore::Writer& out) {
  const bool aligned = offset % kCopyAlign == 0;
  int fd = aligned ? ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_DIRECT) : -1;
  if (fd < 0 && (!aligned || errno == EINVAL)) fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fs::Errno(errno, "open " + path.string());
  std::unique_ptr<char, decltype(&std::free)> buf(
      static_cast<char*>(std::aligned_alloc(kCopyAlign, kCopyChunk)), &std::free);
  if (!buf) {
    ::close(fd);
    return Status::Internal("out of memory copying " + path.string());
  }
  Status st;
  uint64_t done = 0;
  while (st.ok() && done < length) {
    // Whole blocks (O_DIRECT): the bytes past the range are read and not used.
    ssize_t n = ::pread(fd, buf.get(), kCopyChunk, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) st = fs::Errno(errno, "read " + path.string());
    if (n == 0) st = Status::Internal("short part file " + path.string());
    if (n <= 0) break;
    const uint64_t use = std::min<uint64_t>(static_cast<uint64_t>(n), length - done);
    st = out.Write(std::string_view(buf.get(), static_cast<size_t>(use)));
    done += use;
  }
  ::close(fd);
  return st;
}

}  // namespace

LfsStore::LfsStore(std::filesystem::path root) : root_(std::move(root)) {}

std::filesystem::path LfsStore::ObjectPath(std::string_view oid) const {
  if (!ValidOid(oid)) return {};
  std::string o(oid);
  return root_ / "objects" / o.substr(0, 2) / o.substr(2, 2) / o;
}

bool LfsStore::Exists(std::string_view oid) const {
  if (!ValidOid(oid)) return false;
  std::error_code ec;
  return std::filesystem::is_regular_file(ObjectPath(oid), ec);
}

Result<uint64_t> LfsStore::Size(std::string_view oid) const {
  if (!ValidOid(oid)) return BadOid(oid);
  std::error_code ec;
  uint64_t size = std::filesystem::file_size(ObjectPath(oid), ec);
  if (ec) return Status::NotFound("LFS object " + std::string(oid) + " not found");
  return size;
}

Result<std::unique_ptr<LfsStore::Writer>> LfsStore::BeginUpload(std::string_view oid,
                                                                uint64_t expected_size) {
  if (!ValidOid(oid)) return BadOid(oid);
  if (Exists(oid)) {
    return std::unique_ptr<Writer>(
        std::make_unique<VerifyingWriter>(std::string(oid), expected_size, ObjectPath(oid)));
  }
  auto writer = std::make_unique<ObjectWriter>(std::string(oid), expected_size, ObjectPath(oid));
  SH_TRY(writer->Open(root_ / "tmp" / (RandomHex(16) + ".upload")));
  return std::unique_ptr<Writer>(std::move(writer));
}

// An object assembled as its parts arrive in order: part `next` may be written into it while no
// other part is, and its bytes are hashed on the way, so completing the upload only compares the
// hash and renames the file. A part that stops half-way breaks the chain (the hash then covers
// bytes no part has); the parts committed before it can still be read back from their ranges.
struct LfsStore::Chain {
  explicit Chain(uint64_t object_size) : file({.expected = object_size, .direct = true}) {}

  Mutex mu;
  int next GUARDED_BY(mu) = 1;
  bool writing GUARDED_BY(mu) = false;
  bool broken GUARDED_BY(mu) = false;
  std::vector<std::string> tokens GUARDED_BY(mu);  // of parts 1..next-1
  std::vector<uint64_t> ends GUARDED_BY(mu);       // where each of them ends in `file`
  std::chrono::steady_clock::time_point touched GUARDED_BY(mu) = std::chrono::steady_clock::now();
  // Written only by the part that claimed the chain (`writing`), read only once it is taken.
  StagedFile file;
};

namespace {

// The part the chain is waiting for: its bytes go into the assembly.
class ChainPartWriter final : public LfsStore::PartWriter {
 public:
  ChainPartWriter(std::shared_ptr<LfsStore::Chain> chain, uint64_t size)
      : chain_(std::move(chain)), size_(size), token_(RandomHex(kTokenBytes)) {}
  ~ChainPartWriter() override {
    if (done_) return;
    MutexLock lock(chain_->mu);  // abandoned half-way: the assembly's hash is spoiled
    chain_->writing = false;
    chain_->broken = true;
  }
  ChainPartWriter(const ChainPartWriter&) = delete;
  ChainPartWriter& operator=(const ChainPartWriter&) = delete;

  Status Write(std::string_view chunk) override {
    if (done_) return Status::InvalidArgument("Part already finished");
    SH_TRY(RoomFor(size_, written_, chunk.size()));
    SH_TRY(chain_->file.Write(chunk));
    written_ += chunk.size();
    return Status::Ok();
  }

  Result<std::string> Commit() override {
    if (done_) return Status::InvalidArgument("Part already finished");
    done_ = true;
    MutexLock lock(chain_->mu);
    chain_->writing = false;
    if (Status st = SameSize(size_, written_); !st.ok()) {
      chain_->broken = true;
      return st;
    }
    chain_->tokens.push_back(token_);
    chain_->ends.push_back(chain_->file.written());
    ++chain_->next;
    chain_->touched = std::chrono::steady_clock::now();
    return "\"" + token_ + "\"";
  }

 private:
  std::shared_ptr<LfsStore::Chain> chain_;
  uint64_t size_;
  std::string token_;
  uint64_t written_ = 0;
  bool done_ = false;
};

// Where the completion reads one part from.
struct Piece {
  std::filesystem::path path;
  uint64_t offset = 0, length = 0;  // length 0: the whole file
};

// Stitches the object together from `pieces`, hashing it (a Writer, as for a single upload).
Status StitchParts(LfsStore& store, std::string_view oid, uint64_t expected_size,
                   const std::vector<Piece>& pieces) {
  SH_ASSIGN_OR_RETURN(std::unique_ptr<LfsStore::Writer> writer,
                      store.BeginUpload(oid, expected_size));
  for (const auto& p : pieces) {
    uint64_t length = p.length;
    if (length == 0) {
      std::error_code ec;
      length = std::filesystem::file_size(p.path, ec);
      if (ec) return Status::Internal("stat " + p.path.string() + ": " + ec.message());
    }
    SH_TRY(CopyRange(p.path, p.offset, length, *writer));
  }
  return writer->Commit();
}

// Publishes a finished assembly at `target` once its hash is `oid`.
Status PublishAssembly(StagedFile& file, const std::filesystem::path& target,
                       std::string_view oid) {
  SH_ASSIGN_OR_RETURN(std::string sha, file.Finish());
  SH_TRY(SameHash(oid, sha));
  std::error_code ec;
  // Content-addressed: an existing object has these very bytes; the temp file is dropped.
  if (std::filesystem::exists(target, ec)) return Status::Ok();
  SH_TRY(file.MoveTo(target));
  return fs::FsyncDir(target.parent_path().parent_path());
}

}  // namespace

std::shared_ptr<LfsStore::Chain> LfsStore::ClaimChain(std::string_view oid, int part_number,
                                                      uint64_t object_size) {
  const auto now = std::chrono::steady_clock::now();
  MutexLock lock(chains_mu_);
  // Abandoned uploads let go of their threads and temp file after an idle hour.
  for (auto it = chains_.begin(); it != chains_.end();) {
    Chain& c = *it->second;
    MutexLock chain_lock(c.mu);
    it = !c.writing && now - c.touched > kChainIdle ? chains_.erase(it) : std::next(it);
  }
  auto it = chains_.find(oid);
  if (it == chains_.end()) {
    if (part_number != 1 || chains_.size() >= kMaxChains) return nullptr;
    auto chain = std::make_shared<Chain>(object_size);
    auto dir = root_ / "tmp" / "multipart" / std::string(oid);
    if (!chain->file.Open(dir / ("assembly." + RandomHex(8) + ".tmp")).ok()) return nullptr;
    it = chains_.emplace(std::string(oid), std::move(chain)).first;
  }
  Chain& c = *it->second;
  MutexLock chain_lock(c.mu);
  if (c.broken || c.writing || c.next != part_number) return nullptr;
  c.writing = true;
  c.touched = now;
  return it->second;
}

Result<std::shared_ptr<LfsStore::Chain>> LfsStore::TakeChain(std::string_view oid) {
  MutexLock lock(chains_mu_);
  auto it = chains_.find(oid);
  if (it == chains_.end()) return std::shared_ptr<Chain>();
  {
    MutexLock chain_lock(it->second->mu);
    if (it->second->writing) {
      return Status::Conflict("Part " + std::to_string(it->second->next) +
                              " is still being received; complete the upload after it");
    }
  }
  std::shared_ptr<Chain> chain = std::move(it->second);
  chains_.erase(it);
  return chain;
}

void LfsStore::PutBackChain(std::string_view oid, std::shared_ptr<Chain> chain) {
  MutexLock lock(chains_mu_);
  chains_.emplace(std::string(oid), std::move(chain));  // unless a new one began meanwhile
}

Result<std::unique_ptr<LfsStore::PartWriter>> LfsStore::BeginPart(std::string_view oid,
                                                                  int part_number,
                                                                  uint64_t expected_size,
                                                                  uint64_t object_size) {
  if (!ValidOid(oid)) return BadOid(oid);
  if (part_number < 1 || part_number > 10000) {
    return Status::InvalidArgument("Invalid part number " + std::to_string(part_number));
  }
  if (auto chain = ClaimChain(oid, part_number, object_size)) {
    return std::unique_ptr<PartWriter>(
        std::make_unique<ChainPartWriter>(std::move(chain), expected_size));
  }
  std::filesystem::path dir = root_ / "tmp" / "multipart" / std::string(oid);
  auto writer = std::make_unique<PartFileWriter>(expected_size, dir, part_number);
  SH_TRY(writer->Open());
  return std::unique_ptr<PartWriter>(std::move(writer));
}

// The assembly is published when it holds exactly the parts named, in order (the usual case: the
// parts were sent one after another). Otherwise the object is stitched together from the
// assembly's ranges and the part files and hashed now, as for a single upload. On failure the
// parts stay, so the client may re-send a part and complete again.
Status LfsStore::CompleteMultipart(std::string_view oid, uint64_t expected_size,
                                   const std::vector<PartRef>& parts) {
  if (!ValidOid(oid)) return BadOid(oid);
  if (parts.empty()) return Status::InvalidArgument("No parts to complete");
  std::vector<PartRef> sorted = parts;
  std::sort(sorted.begin(), sorted.end(),
            [](const PartRef& a, const PartRef& b) { return a.part_number < b.part_number; });
  for (size_t i = 1; i < sorted.size(); ++i) {
    if (sorted[i].part_number == sorted[i - 1].part_number) {
      return Status::InvalidArgument("Part " + std::to_string(sorted[i].part_number) +
                                     " listed twice");
    }
  }
  const std::filesystem::path dir = root_ / "tmp" / "multipart" / std::string(oid);
  SH_ASSIGN_OR_RETURN(std::shared_ptr<Chain> chain, TakeChain(oid));
  std::vector<std::string> tokens;
  std::vector<uint64_t> ends;
  bool broken = true;
  if (chain) {
    MutexLock lock(chain->mu);
    tokens = chain->tokens;
    ends = chain->ends;
    broken = chain->broken;
  }
  // Part i (0-based) is the chain's when it is part i + 1 with the token the chain gave it.
  auto in_chain = [&](size_t i) {
    return i < tokens.size() && sorted[i].part_number == static_cast<int>(i + 1) &&
           Unquote(sorted[i].etag) == tokens[i];
  };
  bool whole =
      !broken && tokens.size() == sorted.size() && !ends.empty() && ends.back() == expected_size;
  for (size_t i = 0; whole && i < sorted.size(); ++i) whole = in_chain(i);
  if (whole) {
    Status st = PublishAssembly(chain->file, ObjectPath(oid), oid);
    std::error_code ec;
    if (st.ok()) std::filesystem::remove_all(dir, ec);
    return st;  // a wrong hash drops the assembly: its bytes are not the object's
  }
  if (chain) {
    SH_TRY(chain->file.Close());  // for reading its ranges back
    MutexLock lock(chain->mu);
    chain->broken = true;  // nothing more may be appended
  }
  std::vector<Piece> pieces;
  for (size_t i = 0; i < sorted.size(); ++i) {
    const PartRef& part = sorted[i];
    if (in_chain(i)) {
      uint64_t from = i == 0 ? 0 : ends[i - 1];
      pieces.push_back({chain->file.path(), from, ends[i] - from});
      continue;
    }
    const std::string n = std::to_string(part.part_number);
    std::string_view token = Unquote(part.etag);
    std::error_code ec;
    auto path = dir / PartFileName(part.part_number, token);
    if (ValidToken(token) && std::filesystem::is_regular_file(path, ec)) {
      pieces.push_back({std::move(path), 0, 0});
      continue;
    }
    bool uploaded = static_cast<size_t>(part.part_number) <= tokens.size();  // some version
    for (auto it = std::filesystem::directory_iterator(dir, ec);
         !ec && it != std::filesystem::directory_iterator() && !uploaded; it.increment(ec)) {
      std::string name = it->path().filename().string();
      uploaded = name.starts_with(n + ".") && name.ends_with(".part");
    }
    if (chain) PutBackChain(oid, chain);
    if (!uploaded) return Status::InvalidArgument("Part " + n + " was not uploaded");
    return Status::InvalidArgument("ETag mismatch for part " + n + ": got " + part.etag +
                                   ", which names no version of the part");
  }
  Status st = StitchParts(*this, oid, expected_size, pieces);
  if (!st.ok()) {
    if (chain) PutBackChain(oid, chain);
    return st;
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return Status::Ok();
}

Status LfsStore::CleanTemp() {
  namespace stdfs = std::filesystem;
  const auto cutoff = stdfs::file_time_type::clock::now() - std::chrono::hours(24);
  stdfs::path tmp = root_ / "tmp";
  std::error_code ec;
  if (!stdfs::exists(tmp, ec)) return Status::Ok();
  std::vector<stdfs::path> stale;
  for (auto it = stdfs::recursive_directory_iterator(tmp, ec);
       !ec && it != stdfs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code e2;
    if (it->is_regular_file(e2) && it->last_write_time(e2) < cutoff) stale.push_back(it->path());
  }
  if (ec) return Status::Internal("scan " + tmp.string() + ": " + ec.message());
  for (const auto& p : stale) stdfs::remove(p, ec);
  stdfs::path multipart = tmp / "multipart";
  std::vector<stdfs::path> dirs;
  for (auto it = stdfs::directory_iterator(multipart, ec); !ec && it != stdfs::directory_iterator();
       it.increment(ec)) {
    dirs.push_back(it->path());
  }
  for (const auto& d : dirs) {
    std::error_code e2;
    if (stdfs::is_empty(d, e2) && !e2) stdfs::remove(d, e2);  // fails harmlessly if refilled
  }
  return Status::Ok();
}

}  // namespace spacehub::repo
