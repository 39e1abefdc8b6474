#include "repo/xorb_store.h"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <system_error>

#include "core/crypto.h"
#include "repo/fs_util.h"
#include "repo/pipelined_file.h"

namespace spacehub::repo {

XorbStore::XorbStore(std::filesystem::path root) : root_(std::move(root)) {}

std::filesystem::path XorbStore::Path(std::string_view hash) const {
  if (!IsHex(hash, 64)) return {};
  std::string h(hash);
  return root_ / "xorbs" / h.substr(0, 2) / h.substr(2, 2) / h;
}

Result<bool> XorbStore::Put(std::string_view hash, std::string_view bytes) {
  std::filesystem::path target = Path(hash);
  if (target.empty()) return Status::InvalidArgument("Invalid xorb hash");
  if (Exists(hash)) return false;
  fs::TempFile temp;
  SH_TRY(temp.Create(root_ / "tmp" / (std::string(hash) + "." + RandomHex(8))));
  {
    // O_DIRECT where allowed: copying 64 MiB into fresh page-cache pages was most of a xorb
    // upload's time on the hub. No SHA-256: the caller checked the xorb hash.
    PipelinedFile out(temp.fd(), temp.path().string(), {.direct = true, .sha256 = false});
    SH_TRY(out.Append(bytes));
    SH_TRY(out.Finish().status());
  }
  SH_TRY(temp.SyncAndClose());
  SH_TRY(fs::MakeDirs(target.parent_path()));
  // rename replaces atomically: a concurrent put of the same (verified, identical) bytes is fine.
  if (std::rename(temp.path().c_str(), target.c_str()) != 0) {
    return fs::Errno(errno, "rename to " + target.string());
  }
  temp.Release();
  SH_TRY(fs::FsyncDir(target.parent_path()));
  return true;
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
