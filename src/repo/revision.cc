#include "repo/revision.h"

#include "repo/git_util.h"

namespace spacehub::repo {
namespace {

bool IsValidRefName(const std::string& full) {
  int valid = 0;
  return git_reference_name_is_valid(&valid, full.c_str()) == 0 && valid != 0;
}

// Looks up an exact ref name and peels it to a commit. Returns false when absent or not a commit.
bool PeelRef(git_repository* repo, const std::string& full, git_oid* out) {
  if (!IsValidRefName(full)) return false;
  git_reference* raw = nullptr;
  if (git_reference_lookup(&raw, repo, full.c_str()) < 0) return false;
  git::ReferencePtr ref(raw);
  git_object* peeled = nullptr;
  if (git_reference_peel(&peeled, ref.get(), GIT_OBJECT_COMMIT) < 0) return false;
  git::ObjectPtr owned(peeled);
  git_oid_cpy(out, git_object_id(peeled));
  return true;
}

}  // namespace

Result<git_oid> ResolveCommitOid(git_repository* repo, std::string_view rev) {
  git_oid oid;
  if (rev.empty()) return Status::RevisionNotFound(rev);
  std::string name(rev);
  // "HEAD" names the default branch (the JS client asks for it); it is a ref, not revparse syntax.
  if (name == "HEAD") {
    if (PeelRef(repo, "HEAD", &oid)) return oid;
    return Status::RevisionNotFound(rev);
  }
  if (name.starts_with("refs/")) {
    if (PeelRef(repo, name, &oid)) return oid;
    return Status::RevisionNotFound(rev);
  }
  if (PeelRef(repo, "refs/heads/" + name, &oid)) return oid;
  if (PeelRef(repo, "refs/tags/" + name, &oid)) return oid;
  if (git::ParseOid(rev, &oid)) {
    git_commit* commit = nullptr;
    if (git_commit_lookup(&commit, repo, &oid) == 0) {
      git_commit_free(commit);
      return oid;
    }
  }
  return Status::RevisionNotFound(rev);
}

Status ValidateRefShortName(std::string_view name, std::string_view prefix) {
  if (name.empty()) return Status::InvalidArgument("Empty ref name");
  if (name.front() == '-') {
    return Status::InvalidArgument("Invalid ref name '" + std::string(name) +
                                   "': must not start with '-'");
  }
  if (name.find("..") != std::string_view::npos) {
    return Status::InvalidArgument("Invalid ref name '" + std::string(name) +
                                   "': must not contain '..'");
  }
  std::string full = std::string(prefix) + std::string(name);
  if (!IsValidRefName(full)) {
    return Status::InvalidArgument("Invalid ref name '" + std::string(name) + "'");
  }
  return Status::Ok();
}

}  // namespace spacehub::repo
