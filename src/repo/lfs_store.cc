#include "repo/lfs_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <system_error>

#include "core/background_sha256.h"
#include "core/crypto.h"
#include "repo/fs_util.h"

namespace spacehub::repo {
namespace {

constexpr size_t kCopyChunk = 1 << 20;

bool ValidOid(std::string_view oid) { return IsHex(oid, 64); }

Status BadOid(std::string_view oid) {
  return Status::InvalidArgument("Invalid LFS oid '" + std::string(oid) +
                                 "': expected 64 lowercase hex digits");
}

// A temp file that counts and hashes what is written and refuses bytes beyond `expected`.
class HashingFile {
 public:
  explicit HashingFile(uint64_t expected) : expected_(expected) {}

  Status Open(std::filesystem::path temp) { return file_.Create(std::move(temp)); }

  Status Write(std::string_view chunk) {
    if (chunk.size() > expected_ - written_) {
      return Status::InvalidArgument("Received more than the announced " +
                                     std::to_string(expected_) + " bytes");
    }
    SH_TRY(fs::WriteAll(file_.fd(), chunk, file_.path()));
    sha_.Update(chunk);
    written_ += chunk.size();
    // Start writeback of each finished stretch while the upload goes on, so the fsync before the
    // acknowledgement waits only for the tail instead of the whole object (errors surface at
    // fsync).
    if (written_ - flushed_ >= kWritebackStride) {
      ::sync_file_range(file_.fd(), static_cast<off_t>(flushed_),
                        static_cast<off_t>(written_ - flushed_), SYNC_FILE_RANGE_WRITE);
      flushed_ = written_;
    }
    return Status::Ok();
  }

  // Checks the size, finishes the hash and makes the bytes durable; returns the sha256 hex.
  Result<std::string> Finish() {
    if (written_ != expected_) {
      return Status::InvalidArgument("size mismatch: expected " + std::to_string(expected_) +
                                     " bytes, got " + std::to_string(written_));
    }
    std::string sha = sha_.FinishHex();
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
  void Discard() { file_.Discard(); }

 private:
  fs::TempFile file_;     // unlinked on destruction unless moved into place
  BackgroundSha256 sha_;  // hashes on its own thread while the next chunk arrives
  static constexpr uint64_t kWritebackStride = 8ull << 20;
  uint64_t expected_;
  uint64_t written_ = 0;
  uint64_t flushed_ = 0;  // bytes already handed to writeback
};

class ObjectWriter final : public LfsStore::Writer {
 public:
  ObjectWriter(std::string oid, uint64_t size, std::filesystem::path target)
      : oid_(std::move(oid)), target_(std::move(target)), file_(size) {}

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

class PartFileWriter final : public LfsStore::PartWriter {
 public:
  PartFileWriter(uint64_t size, std::filesystem::path target)
      : target_(std::move(target)), file_(size) {}

  Status Open(std::filesystem::path temp) { return file_.Open(std::move(temp)); }
  Status Write(std::string_view chunk) override {
    if (done_) return Status::InvalidArgument("Part already finished");
    return file_.Write(chunk);
  }
  Result<std::string> Commit() override {
    if (done_) return Status::InvalidArgument("Part already finished");
    done_ = true;
    auto sha = file_.Finish();
    // A re-sent part replaces the old one atomically.
    Status st = sha.ok() ? file_.MoveTo(target_) : sha.status();
    file_.Discard();
    if (!st.ok()) return st;
    return "\"" + *sha + "\"";
  }

 private:
  std::filesystem::path target_;
  HashingFile file_;
  bool done_ = false;
};

std::string_view Unquote(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  return etag;
}

// Streams the file at `path` into `out`, returning its sha256 hex.
Result<std::string> CopyHashing(const std::filesystem::path& path, LfsStore::Writer& out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fs::Errno(errno, "open " + path.string());
  Sha256Stream sha;
  std::string buf(kCopyChunk, '\0');
  Status st;
  while (st.ok()) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) st = fs::Errno(errno, "read " + path.string());
    if (n <= 0) break;
    std::string_view chunk(buf.data(), static_cast<size_t>(n));
    sha.Update(chunk);
    st = out.Write(chunk);
  }
  ::close(fd);
  if (!st.ok()) return st;
  return sha.FinishHex();
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
  std::string name = std::to_string(part_number) + ".part";
  auto writer = std::make_unique<PartFileWriter>(expected_size, dir / name);
  SH_TRY(writer->Open(dir / (name + "." + RandomHex(8) + ".tmp")));
  return std::unique_ptr<PartWriter>(std::move(writer));
}

// Parts are re-hashed while they are copied, so a part replaced or damaged since its ETag was
// issued is caught; the whole object is verified by the Writer as for a single upload. On failure
// the parts stay, so the client may re-send a part and complete again.
Status LfsStore::CompleteMultipart(std::string_view oid, uint64_t expected_size,
                                   const std::vector<PartRef>& parts) {
  if (!ValidOid(oid)) return BadOid(oid);
  if (parts.empty()) return Status::InvalidArgument("No parts to complete");
  std::vector<PartRef> sorted = parts;
  std::sort(sorted.begin(), sorted.end(),
            [](const PartRef& a, const PartRef& b) { return a.part_number < b.part_number; });
  std::filesystem::path dir = root_ / "tmp" / "multipart" / std::string(oid);
  for (size_t i = 0; i < sorted.size(); ++i) {
    if (i > 0 && sorted[i].part_number == sorted[i - 1].part_number) {
      return Status::InvalidArgument("Part " + std::to_string(sorted[i].part_number) +
                                     " listed twice");
    }
    std::error_code ec;
    if (!std::filesystem::is_regular_file(dir / (std::to_string(sorted[i].part_number) + ".part"),
                                          ec)) {
      return Status::InvalidArgument("Part " + std::to_string(sorted[i].part_number) +
                                     " was not uploaded");
    }
  }
  SH_ASSIGN_OR_RETURN(std::unique_ptr<Writer> writer, BeginUpload(oid, expected_size));
  for (const PartRef& part : sorted) {
    auto path = dir / (std::to_string(part.part_number) + ".part");
    SH_ASSIGN_OR_RETURN(std::string sha, CopyHashing(path, *writer));
    if (Unquote(part.etag) != sha) {
      return Status::InvalidArgument("ETag mismatch for part " + std::to_string(part.part_number) +
                                     ": expected \"" + sha + "\", got " + part.etag);
    }
  }
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
