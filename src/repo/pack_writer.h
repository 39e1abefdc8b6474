// PackWriter: stages every object a commit creates in memory (a private libgit2 odb backend that
// records writes) and then makes them durable in one go: as ONE packfile through the indexer (which
// fsyncs pack, index and directory) when there are many, or as loose objects (fsynced one by one)
// when there are few, mirroring git receive-pack's unpackLimit. A failed or abandoned build leaves
// nothing on disk. Loose objects and packs accumulate: run `git gc` periodically, as for any git
// server.
//
// Thread-safety: bound to one git_repository handle; one thread at a time.
#pragma once

#include <git2.h>

#include "core/result.h"
#include "repo/git_util.h"

namespace spacehub::repo {

struct StagingBackend;

class PackWriter final {
 public:
  PackWriter() = default;
  PackWriter(const PackWriter&) = delete;
  PackWriter& operator=(const PackWriter&) = delete;

  // Routes all later object writes of `repo` into memory. `repo` must outlive this writer (the
  // staging backend is owned by the repository's object database).
  Status Attach(git_repository* repo);
  // Writes the staged objects durably and forgets them. Objects that already existed in the
  // repository were never staged (libgit2 checks before writing).
  Status Flush();
  // Drops the staged objects.
  void Discard();

 private:
  Status WritePack();
  Status WriteLoose();

  git_repository* repo_ = nullptr;
  git::OdbPtr odb_;
  StagingBackend* staging_ = nullptr;  // owned by odb_
};

}  // namespace spacehub::repo
