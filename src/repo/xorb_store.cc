#include "repo/xorb_store.h"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <memory>
#include <system_error>
#include <utility>

#include "core/crypto.h"
#include "repo/fs_util.h"
#include "repo/staged_file.h"

namespace spacehub::repo {

namespace {

std::filesystem::path XorbPath(const std::filesystem::path& root, std::string_view hash) {
  if (!IsHex(hash, 64)) return {};
  std::string h(hash);
  return root / "xorbs" / h.substr(0, 2) / h.substr(2, 2) / h;
}

}  // namespace

// The temp file, written through the pipeline without a SHA-256 (the caller checks the xorb hash).
struct XorbWriter::File {
  StagedFile staged{{.direct = true, .sha256 = false}};
};

XorbWriter::XorbWriter(std::filesystem::path root, std::unique_ptr<File> file)
    : root_(std::move(root)), file_(std::move(file)) {}

XorbWriter::~XorbWriter() = default;

Status XorbWriter::Append(std::string_view bytes) {
  if (!file_) return Status::Internal("xorb writer: appended to after Commit");
  SH_TRY(file_->staged.Write(bytes));
  size_ += bytes.size();
  return Status::Ok();
}

Result<bool> XorbWriter::Commit(std::string_view hash) {
  if (!file_) return Status::Internal("xorb writer: committed twice");
  // Spent whatever happens below: on any return but success `file` unlinks the temp file.
  const std::unique_ptr<File> file = std::move(file_);
  const std::filesystem::path target = XorbPath(root_, hash);
  if (target.empty()) return Status::InvalidArgument("Invalid xorb hash");
  SH_TRY(file->staged.Finish().status());
  std::error_code ec;
  if (std::filesystem::is_regular_file(target, ec)) return false;
  // rename replaces atomically: a concurrent put of the same (verified, identical) bytes is fine.
  SH_TRY(file->staged.MoveTo(target));
  return true;
}

XorbStore::XorbStore(std::filesystem::path root) : root_(std::move(root)) {}

std::filesystem::path XorbStore::Path(std::string_view hash) const { return XorbPath(root_, hash); }

Result<std::unique_ptr<XorbWriter>> XorbStore::Begin() {
  // O_DIRECT where allowed: copying 64 MiB into fresh page-cache pages was most of a xorb
  // upload's time on the hub.
  auto file = std::make_unique<XorbWriter::File>();
  SH_TRY(file->staged.Open(root_ / "tmp" / ("xorb." + RandomHex(8))));
  return std::unique_ptr<XorbWriter>(new XorbWriter(root_, std::move(file)));
}

Result<bool> XorbStore::Put(std::string_view hash, std::string_view bytes) {
  if (Path(hash).empty()) return Status::InvalidArgument("Invalid xorb hash");
  if (Exists(hash)) return false;
  SH_ASSIGN_OR_RETURN(std::unique_ptr<XorbWriter> writer, Begin());
  SH_TRY(writer->Append(bytes));
  return writer->Commit(hash);
}

bool XorbStore::Exists(std::string_view hash) const {
  std::filesystem::path p = Path(hash);
  std::error_code ec;
  return !p.empty() && std::filesystem::is_regular_file(p, ec);
}

Result<uint64_t> XorbStore::Size(std::string_view hash) const {
  std::filesystem::path p = Path(hash);
  std::error_code ec;
  uint64_t size = p.empty() ? 0 : std::filesystem::file_size(p, ec);
  if (p.empty() || ec) return Status::NotFound("xorb not found");
  return size;
}

Status XorbStore::Remove(std::string_view hash) {
  std::filesystem::path p = Path(hash);
  if (p.empty()) return Status::InvalidArgument("Invalid xorb hash");
  std::error_code ec;
  std::filesystem::remove(p, ec);
  if (ec) return Status::Internal("remove " + p.string() + ": " + ec.message());
  return fs::FsyncDir(p.parent_path());
}

Status XorbStore::ForEach(
    const std::function<void(std::string_view, std::filesystem::file_time_type)>& fn) const {
  std::error_code ec;
  std::filesystem::recursive_directory_iterator it(root_ / "xorbs", ec), end;
  if (ec)
    return ec == std::errc::no_such_file_or_directory
               ? Status::Ok()
               : Status::Internal("list xorbs: " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) return Status::Internal("list xorbs: " + ec.message());
    std::error_code ignored;
    const std::string name = it->path().filename().string();
    if (!it->is_regular_file(ignored) || Path(name) != it->path()) continue;  // not a xorb's place
    const auto written = it->last_write_time(ignored);
    if (!ignored) fn(name, written);
  }
  return Status::Ok();
}

Mutex& XorbStore::HashMutex(std::string_view hash) {
  return stripes_[std::hash<std::string_view>{}(hash) % kHashStripes];
}

Status XorbStore::CleanTemp() {
  std::error_code ec;
  auto cutoff = std::filesystem::file_time_type::clock::now() - std::chrono::hours(24);
  for (const auto& e : std::filesystem::directory_iterator(root_ / "tmp", ec)) {
    std::error_code ignored;
    if (e.is_regular_file(ignored) && e.last_write_time(ignored) < cutoff) {
      std::filesystem::remove(e.path(), ignored);
    }
  }
  return Status::Ok();
}

}  // namespace spacehub::repo
