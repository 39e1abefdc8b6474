#include "service/browser_upload.h"

#include <unordered_set>

#include "core/crypto.h"
#include "service/lfs_links.h"
#include "service/lfs_service.h"

namespace spacehub::service {
namespace {

// What Preupload looks at to tell binary from text (the Python client sends 512 bytes too).
constexpr size_t kSampleBytes = 512;

// Stores `data` as the LFS object it is and links it to the repo, unless it is there already.
Result<CommitLfsFile> StoreLfsObject(Hub& hub, const db::RepoRow& row, const UploadedFile& file) {
  const uint64_t size = file.data.size();
  if (size > hub.options.max_lfs_object_bytes) {
    return Status::InvalidArgument(file.path + " is larger than this hub accepts");
  }
  std::string oid = Sha256Hex(file.data);
  SH_ASSIGN_OR_RETURN(bool linked, IsLfsLinked(hub, row.id, oid));
  auto stored = StoredObjectSize(hub, oid);
  if (!linked || !stored.ok() || *stored != size) {
    // The bytes are here, hashed by us: this is the proof of upload a verified transfer gives.
    LfsService lfs(hub);
    SH_ASSIGN_OR_RETURN(auto session, lfs.BeginUpload(LfsGrant{row.id, oid, size}));
    SH_TRY(session->Write(file.data));
    SH_TRY(session->Finish().status());
  }
  return CommitLfsFile{file.path, std::move(oid), size};
}

}  // namespace

Result<CommitOutput> CommitUploads(Hub& hub, CommitService& commits, const Caller& who,
                                   const RepoId& id, const UploadInput& input) {
  if (input.files.empty()) return Status::InvalidArgument("Choose at least one file to upload");
  std::unordered_set<std::string_view> seen;
  PreuploadInput pre;
  pre.revision = input.revision;
  for (const auto& f : input.files) {
    if (!seen.insert(f.path).second) {
      return Status::InvalidArgument("Two files would be uploaded as " + f.path);
    }
    pre.files.push_back({f.path, std::string(f.data.substr(0, kSampleBytes)), f.data.size()});
  }
  // Checks write access and every path before anything is stored.
  SH_ASSIGN_OR_RETURN(std::vector<PreuploadAnswer> answers, commits.Preupload(who, id, pre));
  SH_ASSIGN_OR_RETURN(db::RepoRow row, RequireWritable(hub, who, id));

  CommitInput in;
  in.revision = input.revision;
  in.summary = input.summary;
  in.description = input.description;
  in.parent_commit = input.parent_commit;
  for (size_t i = 0; i < input.files.size(); ++i) {
    const UploadedFile& f = input.files[i];
    if (i < answers.size() && answers[i].lfs) {
      SH_ASSIGN_OR_RETURN(CommitLfsFile lfs, StoreLfsObject(hub, row, f));
      in.ops.emplace_back(std::move(lfs));
    } else {
      in.ops.emplace_back(repo::AddFile{f.path, std::string(f.data)});
    }
  }
  return commits.Commit(who, id, std::move(in));
}

}  // namespace spacehub::service
