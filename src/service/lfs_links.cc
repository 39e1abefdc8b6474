#include "service/lfs_links.h"

#include <unordered_map>
#include <unordered_set>

#include "service/xet_scan.h"

namespace spacehub::service {

Result<uint64_t> StoredObjectSize(Hub& hub, std::string_view oid) {
  auto stored = hub.lfs.Size(oid);
  if (stored.ok()) return *stored;
  SH_ASSIGN_OR_RETURN(auto file, hub.db.xet().FindFileBySha256(oid));
  if (file) return file->size;
  return Status::NotFound("LFS object " + std::string(oid) + " not found");
}

Result<bool> IsLfsLinked(Hub& hub, int64_t repo_id, std::string_view oid) {
  return hub.db.HasLfsObject(repo_id, oid);
}

Status RequireLfsLinked(Hub& hub, int64_t repo_id, std::string_view path,
                        const repo::LfsPointer& pointer) {
  SH_ASSIGN_OR_RETURN(bool linked, IsLfsLinked(hub, repo_id, pointer.oid));
  auto stored = StoredObjectSize(hub, pointer.oid);
  if (!linked || !stored.ok()) {
    return Status::InvalidArgument(
        "\"" + std::string(path) + "\" is an LFS pointer to object " + pointer.oid +
        ", which was not uploaded to this repository; upload the file through this repository's "
        "LFS batch API first");
  }
  if (*stored != pointer.size) {
    return Status::InvalidArgument("\"" + std::string(path) + "\" is an LFS pointer to object " +
                                   pointer.oid + " with size " + std::to_string(pointer.size) +
                                   ", but that object has " + std::to_string(*stored) + " bytes");
  }
  return Status::Ok();
}

Result<bool> CopyLfsLink(Hub& hub, int64_t from_repo, int64_t to_repo, std::string_view oid) {
  SH_ASSIGN_OR_RETURN(bool linked, IsLfsLinked(hub, from_repo, oid));
  if (!linked) return false;
  auto stored = StoredObjectSize(hub, oid);
  if (!stored.ok()) return false;
  SH_TRY(hub.db.LinkLfsObject(to_repo, oid, *stored));
  return true;
}

Status HideUnlinkedLfs(Hub& hub, int64_t repo_id, std::vector<repo::TreeEntry*>& entries) {
  std::unordered_map<std::string, bool> seen;  // a tree may name one object many times
  for (repo::TreeEntry* e : entries) {
    if (!e->lfs) continue;
    auto it = seen.find(e->lfs->oid);
    if (it == seen.end()) {
      SH_ASSIGN_OR_RETURN(bool linked, IsLfsLinked(hub, repo_id, e->lfs->oid));
      it = seen.emplace(e->lfs->oid, linked).first;
    }
    if (!it->second) {
      e->lfs.reset();
      e->size = e->pointer_size;
      e->pointer_size = 0;
    }
  }
  return Status::Ok();
}

Status CheckCheckoutLfsLinks(Hub& hub, const db::RepoRow& row, const std::string& sha) {
  SH_ASSIGN_OR_RETURN(std::vector<repo::TreeEntry> entries,
                      hub.repos.ListTree(row.repo, sha, "", /*recursive=*/true));
  std::unordered_map<std::string, bool> seen;
  for (const auto& e : entries) {
    if (!e.lfs) continue;
    auto it = seen.find(e.lfs->oid);
    if (it == seen.end()) {
      SH_ASSIGN_OR_RETURN(bool linked, IsLfsLinked(hub, row.id, e.lfs->oid));
      it = seen.emplace(e.lfs->oid, linked).first;
    }
    if (!it->second) {
      return Status::PermissionDenied("\"" + e.path + "\" points to LFS object " + e.lfs->oid +
                                      ", which was never uploaded to this Space");
    }
  }
  return Status::Ok();
}

Status MaterializeXetObjects(Hub& hub, const db::RepoRow& row, const std::string& sha) {
  SH_ASSIGN_OR_RETURN(std::vector<repo::TreeEntry> entries,
                      hub.repos.ListTree(row.repo, sha, "", /*recursive=*/true));
  std::unordered_set<std::string> done;
  for (const auto& e : entries) {
    if (!e.lfs || hub.lfs.Exists(e.lfs->oid) || !done.insert(e.lfs->oid).second) continue;
    SH_ASSIGN_OR_RETURN(auto file, hub.db.xet().FindFileBySha256(e.lfs->oid));
    if (!file) continue;  // CheckoutCommit names the missing object
    SH_ASSIGN_OR_RETURN(auto writer, hub.lfs.BeginUpload(e.lfs->oid, file->size));
    SH_TRY(ScanXetFile(hub, *file,
                       [&writer](std::string_view bytes) { return writer->Write(bytes); }));
    SH_TRY(writer->Commit());
  }
  return Status::Ok();
}

}  // namespace spacehub::service
