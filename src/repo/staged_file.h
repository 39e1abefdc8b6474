// StagedFile: a temp file filled through a PipelinedFile (SHA-256'd on the way unless told not to,
// O_DIRECT where allowed) and published by an atomic rename: the one way the content-addressed
// stores (LFS objects and multipart assemblies, xorbs) write their files. With an expected size,
// bytes past it are refused and Finish checks the total. Destroying it before MoveTo unlinks the
// temp file.
// One owner thread; the pipeline's threads are private.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "repo/fs_util.h"
#include "repo/pipelined_file.h"

namespace spacehub::repo {

// The refusals of a size announced up front: `more` bytes after `written` would pass it, and a
// total that is not it.
Status RoomFor(uint64_t expected, uint64_t written, uint64_t more);
Status SameSize(uint64_t expected, uint64_t got);

class StagedFile {
 public:
  struct Options {
    std::optional<uint64_t> expected{};  // the size announced, if any
    bool direct = true;                  // see PipelinedFile::Options
    bool sha256 = true;
  };
  explicit StagedFile(Options options) : options_(options) {}

  Status Open(std::filesystem::path temp);
  Status Write(std::string_view chunk);
  // Checks the size, writes out the rest and makes the bytes durable; the SHA-256 hex ("" without
  // Options::sha256).
  Result<std::string> Finish();
  // Renames the temp file to `target` (replacing it) and fsyncs the folder. After Finish.
  Status MoveTo(const std::filesystem::path& target);
  // Deletes the temp file now (unless it was moved into place).
  void Discard();
  // Writes out what is buffered, for reading the file back; nothing may be written afterwards.
  Status Close();

  uint64_t written() const { return written_; }
  const std::filesystem::path& path() const { return file_.path(); }

 private:
  Options options_;
  fs::TempFile file_;                    // unlinked on destruction unless moved into place
  std::unique_ptr<PipelinedFile> pipe_;  // declared after file_: stops before the fd closes
  uint64_t written_ = 0;
};

}  // namespace spacehub::repo
