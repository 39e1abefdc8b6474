// Browser uploads: files whose whole content arrives in one request (a multipart form on the web
// UI) become one commit through CommitService, like every other commit. Which files go to LFS is
// decided by Preupload's rule (at or over the hub's LFS threshold, binary, or matched by the
// revision's .gitattributes), so a browser upload lands exactly as the Python client's would: those
// files are stored as LFS objects, linked to the repo as a verified LFS upload links them, and
// committed as lfsFile operations; the others become plain git blobs.
//
// Nothing is stored before the caller's write access is checked (Preupload checks it first). An
// object stored for a commit that then fails (a stale parent) stays stored and linked, as after an
// LFS upload whose commit never came: it is the caller's own data, in their own repo.
// Thread-safe (stateless).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "service/commit_service.h"

namespace spacehub::service {

struct UploadedFile {
  std::string path;       // in the repo; validated by the commit service
  std::string_view data;  // the whole content; must outlive the call
};

struct UploadInput {
  std::string revision = "main";  // a branch
  std::string summary;
  std::string description;
  std::optional<std::string> parent_commit;  // set: refused with kConflict unless still the head
  std::vector<UploadedFile> files;
};

Result<CommitOutput> CommitUploads(Hub& hub, CommitService& commits, const Caller& who,
                                   const RepoId& id, const UploadInput& input);

}  // namespace spacehub::service
