#include "repo/staged_file.h"

#include <cerrno>
#include <cstdio>
#include <utility>

namespace spacehub::repo {

Status RoomFor(uint64_t expected, uint64_t written, uint64_t more) {
  if (more <= expected - written) return Status::Ok();
  return Status::InvalidArgument("Received more than the announced " + std::to_string(expected) +
                                 " bytes");
}

Status SameSize(uint64_t expected, uint64_t got) {
  if (got == expected) return Status::Ok();
  return Status::InvalidArgument("size mismatch: expected " + std::to_string(expected) +
                                 " bytes, got " + std::to_string(got));
}

Status StagedFile::Open(std::filesystem::path temp) {
  SH_TRY(file_.Create(std::move(temp)));
  pipe_ = std::make_unique<PipelinedFile>(
      file_.fd(), file_.path().string(),
      PipelinedFile::Options{.direct = options_.direct, .sha256 = options_.sha256});
  return Status::Ok();
}

Status StagedFile::Write(std::string_view chunk) {
  if (options_.expected) SH_TRY(RoomFor(*options_.expected, written_, chunk.size()));
  if (!pipe_) return Status::Internal("the file was closed for reading");
  SH_TRY(pipe_->Append(chunk));
  written_ += chunk.size();
  return Status::Ok();
}

Result<std::string> StagedFile::Finish() {
  if (options_.expected) SH_TRY(SameSize(*options_.expected, written_));
  if (!pipe_) return Status::Internal("the file was closed for reading");
  SH_ASSIGN_OR_RETURN(std::string sha, pipe_->Finish());
  pipe_.reset();
  SH_TRY(file_.SyncAndClose());
  return sha;
}

Status StagedFile::MoveTo(const std::filesystem::path& target) {
  SH_TRY(fs::MakeDirs(target.parent_path()));
  if (std::rename(file_.path().c_str(), target.c_str()) != 0) {
    return fs::Errno(errno, "rename to " + target.string());
  }
  file_.Release();
  return fs::FsyncDir(target.parent_path());
}

void StagedFile::Discard() {
  pipe_.reset();  // its threads are done with the fd before it closes
  file_.Discard();
}

Status StagedFile::Close() {
  if (!pipe_) return Status::Ok();
  auto done = pipe_->Finish();
  pipe_.reset();
  return done.status();
}

}  // namespace spacehub::repo
