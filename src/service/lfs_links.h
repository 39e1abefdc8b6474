// LFS links: which stored LFS objects a repository may reference and serve.
//
// Objects are stored once by content (repo::LfsStore), so the bytes of a private file are on disk
// for every repo to name by hash. An object is *linked* to a repo once the repo proved it has the
// bytes: a verified upload through that repo's own LFS batch API (LfsService), or a copy made by
// Space duplication from a source repo that had it linked. Knowing a hash proves nothing.
//
//  - Every way a pointer enters a repo requires the link: the commit API (lfsFile operations and
//    plain files whose content is a pointer), git push (push_rules.h), Space duplication.
//  - Every way bytes leave checks it again, so a pointer that got in some other way (a bare repo
//    edited on disk, data from before these checks) serves nothing: resolve and the tree listings
//    (FileService), the git-lfs batch download (LfsService), Space checkouts
//    (CheckCheckoutLfsLinks, before repo::CheckoutCommit copies objects into a build).
// Pointers are recognised as git-lfs recognises them (repo::DetectLfsPointer: all three version
// lines, lenient layout), so no blob that a client would fetch an object for slips past.
//
// Thread-safe (stateless); the database is the only state.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "repo/types.h"
#include "service/hub.h"

namespace spacehub::service {

// The size of a stored LFS object, whether its bytes are in the LFS store or Xet-stored (a file a
// shard recorded with this SHA-256, checked against its bytes); kNotFound otherwise.
Result<uint64_t> StoredObjectSize(Hub& hub, std::string_view oid);

// Whether `oid` is linked to the repo.
Result<bool> IsLfsLinked(Hub& hub, int64_t repo_id, std::string_view oid);

// A pointer about to enter the repo at `path`: kInvalidArgument naming the path and the object
// unless the object is linked to the repo and stored with the size the pointer announces.
Status RequireLfsLinked(Hub& hub, int64_t repo_id, std::string_view path,
                        const repo::LfsPointer& pointer);

// Duplication: links `oid` to `to_repo` only when `from_repo` had it linked (and it is stored), so
// a copy never grants an object the source could not serve. Returns whether it linked.
Result<bool> CopyLfsLink(Hub& hub, int64_t from_repo, int64_t to_repo, std::string_view oid);

// Tree listings: entries whose LFS object is not linked to the repo lose their LFS info and are
// described as the plain pointer blob they are (their bytes are not served either).
Status HideUnlinkedLfs(Hub& hub, int64_t repo_id, std::vector<repo::TreeEntry*>& entries);

// Space builds: kPermissionDenied naming the first file of commit `sha` whose LFS object is not
// linked to the Space. Call before repo::CheckoutCommit, which copies LFS objects by oid.
Status CheckCheckoutLfsLinks(Hub& hub, const db::RepoRow& row, const std::string& sha);

// Space builds: objects of commit `sha` stored only as Xet are rebuilt into the LFS store (checked
// against their SHA-256 on the way), since repo::CheckoutCommit copies LFS objects from there.
// Call after CheckCheckoutLfsLinks.
Status MaterializeXetObjects(Hub& hub, const db::RepoRow& row, const std::string& sha);

}  // namespace spacehub::service
