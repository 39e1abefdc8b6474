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
#include "repo/pipelined_file.h"

namespace spacehub::repo {
namespace {

constexpr size_t kCopyChunk = 4 << 20;
constexpr size_t kCopyAlign = 4096;  // O_DIRECT reads: buffer aligned to the logical block

bool ValidOid(std::string_view oid) { return IsHex(oid, 64); }

Status BadOid(std::string_view oid) {
  return Status::InvalidArgument("Invalid LFS oid '" + std::string(oid) +
                                 "': expected 64 lowercase hex digits");
}

std::string PartFileName(int part_number, std::string_view sha) {
  return std::to_string(part_number) + "." + std::string(sha) + ".part";
}

// A temp file that counts and hashes what is written and refuses bytes beyond `expected`.
// `direct`: written around the page cache (see PipelinedFile).
class HashingFile {
 public:
  HashingFile(uint64_t expected, bool direct) : expected_(expected), direct_(direct) {}

  Status Open(std::filesystem::path temp) {
    SH_TRY(file_.Create(std::move(temp)));
    pipe_ = std::make_unique<PipelinedFile>(file_.fd(), file_.path().string(),
                                            PipelinedFile::Options{.direct = direct_});
    return Status::Ok();
  }

  Status Write(std::string_view chunk) {
    if (chunk.size() > expected_ - written_) {
      return Status::InvalidArgument("Received more than the announced " +
                                     std::to_string(expected_) + " bytes");
    }
    SH_TRY(pipe_->Append(chunk));
    written_ += chunk.size();
    return Status::Ok();
  }

  // Checks the size, finishes the hash and makes the bytes durable; returns the sha256 hex.
  Result<std::string> Finish() {
    if (written_ != expected_) {
      return Status::InvalidArgument("size mismatch: expected " + std::to_string(expected_) +
                                     " bytes, got " + std::to_string(written_));
    }
    SH_ASSIGN_OR_RETURN(std::string sha, pipe_->Finish());
    pipe_.reset();
    SH_TRY(file_.SyncAndClose());
    return sha;
  }

  // Renames the temp file to `target` (replacing it) and fsyncs the folder.
  Status MoveTo(const std::filesystem::path& target) {
    SH_TRY(fs::MakeDirs(target.parent_path()));
    if (std::rename(file_.path().c_str(), target.c_str()) != 0) {
      return fs::Errno(errno, "rename to " + target.string());
    }
    file_.Release();
    return fs::FsyncDir(target.parent_path());
  }

  // Deletes the temp file now (unless it was moved into place).
  void Discard() {
    pipe_.reset();  // its threads are done with the fd before it closes
    file_.Discard();
  }

 private:
  fs::TempFile file_;                    // unlinked on destruction unless moved into place
  std::unique_ptr<PipelinedFile> pipe_;  // declared after file_: stops before the fd closes
  uint64_t expected_;
  bool direct_;
  uint64_t written_ = 0;
};

class ObjectWriter final : public LfsStore::Writer {
 public:
  ObjectWriter(std::string oid, uint64_t size, std::filesystem::path target)
      : oid_(std::move(oid)), target_(std::move(target)), file_(size, /*direct=*/true) {}

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
    if (sha != oid_) {
      return Status::InvalidArgument("SHA-256 mismatch: expected " + oid_ + ", got " + sha);
    }
    std::error_code ec;
    // Content-addressed: an existing object has these very bytes; the temp file is dropped.
    if (std::filesystem::exists(target_, ec)) return Status::Ok();
    SH_TRY(file_.MoveTo(target_));
    return fs::FsyncDir(target_.parent_path().parent_path());
  }

  std::string oid_;
  std::filesystem::path target_;
  HashingFile file_;
  bool done_ = false;
};

// A part is kept as "<n>.<sha256>.part", written around the page cache like a whole object: its
// name says what its bytes hashed to when they arrived, so the completion finds the very version
// each ETag names without hashing it again (the whole object's hash still checks every byte). A
// committed part replaces earlier versions (two re-sends of one part racing each other may remove
// each other's; the completion then names the part as missing, and the client sends it again).
class PartFileWriter final : public LfsStore::PartWriter {
 public:
  PartFileWriter(uint64_t size, std::filesystem::path dir, int part_number)
      : dir_(std::move(dir)), part_number_(part_number), file_(size, /*direct=*/true) {}

  Status Open(std::filesystem::path temp) { return file_.Open(std::move(temp)); }
  Status Write(std::string_view chunk) override {
    if (done_) return Status::InvalidArgument("Part already finished");
    return file_.Write(chunk);
  }
  Result<std::string> Commit() override {
    if (done_) return Status::InvalidArgument("Part already finished");
    done_ = true;
    auto sha = file_.Finish();
    Status st = sha.ok() ? file_.MoveTo(dir_ / PartFileName(part_number_, *sha)) : sha.status();
    file_.Discard();
    if (!st.ok()) return st;
    RemoveOtherVersions(*sha);
    return "\"" + *sha + "\"";
  }

 private:
  void RemoveOtherVersions(const std::string& keep) {
    const std::string prefix = std::to_string(part_number_) + ".";
    const std::string mine = PartFileName(part_number_, keep);
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
  HashingFile file_;
  bool done_ = false;
};

std::string_view Unquote(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  return etag;
}

// Streams the file at `path` into `out` (which hashes what it is given). Parts were written around
// the page cache, so they are read the same way where the file system allows it: straight from the
// disk into an aligned buffer, without filling fresh page-cache pages.
Status CopyInto(const std::filesystem::path& path, LfsStore::Writer& out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_DIRECT);
  if (fd < 0 && errno == EINVAL) fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fs::Errno(errno, "open " + path.string());
  std::unique_ptr<char, decltype(&std::free)> buf(
      static_cast<char*>(std::aligned_alloc(kCopyAlign, kCopyChunk)), &std::free);
  if (!buf) {
    ::close(fd);
    return Status::Internal("out of memory copying " + path.string());
  }
  Status st;
  while (st.ok()) {
    ssize_t n = ::read(fd, buf.get(), kCopyChunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) st = fs::Errno(errno, "read " + path.string());
    if (n <= 0) break;
    st = out.Write(std::string_view(buf.get(), static_cast<size_t>(n)));
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
  auto writer = std::make_unique<ObjectWriter>(std::string(oid), expected_size, ObjectPath(oid));
  SH_TRY(writer->Open(root_ / "tmp" / (RandomHex(16) + ".upload")));
  return std::unique_ptr<Writer>(std::move(writer));
}

Result<std::unique_ptr<LfsStore::PartWriter>> LfsStore::BeginPart(std::string_view oid,
                                                                  int part_number,
                                                                  uint64_t expected_size) {
  if (!ValidOid(oid)) return BadOid(oid);
  if (part_number < 1 || part_number > 10000) {
    return Status::InvalidArgument("Invalid part number " + std::to_string(part_number));
  }
  std::filesystem::path dir = root_ / "tmp" / "multipart" / std::string(oid);
  auto writer = std::make_unique<PartFileWriter>(expected_size, dir, part_number);
  SH_TRY(writer->Open(dir / (std::to_string(part_number) + "." + RandomHex(8) + ".tmp")));
  return std::unique_ptr<PartWriter>(std::move(writer));
}

// Each part is found by the hash its ETag names (PartFileWriter), so a part replaced since its
// ETag was issued is caught without hashing the parts again; the whole object is verified by the
// Writer as for a single upload. On failure the parts stay, so the client may re-send a part and
// complete again.
Status LfsStore::CompleteMultipart(std::string_view oid, uint64_t expected_size,
                                   const std::vector<PartRef>& parts) {
  if (!ValidOid(oid)) return BadOid(oid);
  if (parts.empty()) return Status::InvalidArgument("No parts to complete");
  std::vector<PartRef> sorted = parts;
  std::sort(sorted.begin(), sorted.end(),
            [](const PartRef& a, const PartRef& b) { return a.part_number < b.part_number; });
  std::filesystem::path dir = root_ / "tmp" / "multipart" / std::string(oid);
  std::vector<std::filesystem::path> paths;
  for (size_t i = 0; i < sorted.size(); ++i) {
    const PartRef& part = sorted[i];
    const std::string n = std::to_string(part.part_number);
    if (i > 0 && part.part_number == sorted[i - 1].part_number) {
      return Status::InvalidArgument("Part " + n + " listed twice");
    }
    std::string_view sha = Unquote(part.etag);
    std::error_code ec;
    auto path = dir / PartFileName(part.part_number, sha);
    if (ValidOid(sha) && std::filesystem::is_regular_file(path, ec)) {
      paths.push_back(std::move(path));
      continue;
    }
    bool uploaded = false;  // some version of the part, under another hash
    for (auto it = std::filesystem::directory_iterator(dir, ec);
         !ec && it != std::filesystem::directory_iterator() && !uploaded; it.increment(ec)) {
      std::string name = it->path().filename().string();
      uploaded = name.starts_with(n + ".") && name.ends_with(".part");
    }
    if (!uploaded) return Status::InvalidArgument("Part " + n + " was not uploaded");
    return Status::InvalidArgument("ETag mismatch for part " + n + ": got " + part.etag +
                                   ", which is not the part's SHA-256");
  }
  SH_ASSIGN_OR_RETURN(std::unique_ptr<Writer> writer, BeginUpload(oid, expected_size));
  for (const auto& path : paths) SH_TRY(CopyInto(path, *writer));
  SH_TRY(writer->Commit());
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
