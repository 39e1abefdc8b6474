#include "repo/git_util.h"

#include <mutex>

namespace spacehub::repo::git {

void EnsureInit() {
  static std::once_flag once;
  std::call_once(once, [] {
    git_libgit2_init();
    // Objects, packs (indexer) and loose refs are fsynced before being renamed into place.
    git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1);
  });
}

Status Error(int code, std::string_view context) {
  const git_error* err = git_error_last();
  std::string message(context);
  message += ": ";
  message += (err != nullptr && err->message != nullptr) ? err->message : "libgit2 error";
  message += " (" + std::to_string(code) + ")";
  switch (code) {
    case GIT_ENOTFOUND:
      return Status::NotFound(std::move(message));
    case GIT_EEXISTS:
    case GIT_EMODIFIED:
    case GIT_ELOCKED:
      return Status::Conflict(std::move(message));
    case GIT_EINVALIDSPEC:
      return Status::InvalidArgument(std::move(message));
    default:
      return Status::Internal(std::move(message));
  }
}

Result<RepoPtr> Open(const std::filesystem::path& git_dir) {
  EnsureInit();
  git_repository* raw = nullptr;
  int rc = git_repository_open_ext(
      &raw, git_dir.c_str(),
      GIT_REPOSITORY_OPEN_NO_SEARCH | GIT_REPOSITORY_OPEN_BARE | GIT_REPOSITORY_OPEN_NO_DOTGIT,
      nullptr);
  if (rc == GIT_ENOTFOUND) return Status::RepoNotFound();
  if (rc < 0) return Error(rc, "open repository");
  return RepoPtr(raw);
}

std::string OidHex(const git_oid& oid) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof(buf), &oid);
  return std::string(buf, GIT_OID_HEXSZ);
}

Status CreateRefIfAbsent(git_repository* repo, const std::string& name, const git_oid& target) {
  git_oid absent{};  // libgit2: a zero "current" id matches only a missing ref
  git_reference* ref = nullptr;
  int rc = git_reference_create_matching(&ref, repo, name.c_str(), &target, 1, &absent, nullptr);
  git_reference_free(ref);
  if (rc == GIT_EMODIFIED || rc == GIT_EEXISTS) return Status::Conflict(name + " already exists");
  if (rc < 0) return Error(rc, "create " + name);
  return Status::Ok();
}

bool ParseOid(std::string_view hex, git_oid* out) {
  if (hex.size() != GIT_OID_HEXSZ) return false;
  for (char c : hex) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return git_oid_fromstrn(out, hex.data(), hex.size()) == 0;
}

Result<SignaturePtr> SignatureNow(std::string_view name, std::string_view email) {
  std::string n = name.empty() ? std::string("spacehub") : std::string(name);
  std::string e = email.empty() ? std::string("noreply@spacehub.local") : std::string(email);
  git_signature* sig = nullptr;
  int rc = git_signature_now(&sig, n.c_str(), e.c_str());
  if (rc < 0) return Error(rc, "signature").Annotate("invalid author");
  return SignaturePtr(sig);
}

Result<CommitPtr> LookupCommit(git_repository* repo, const git_oid& oid) {
  git_object* obj = nullptr;
  int rc = git_object_lookup(&obj, repo, &oid, GIT_OBJECT_ANY);
  if (rc < 0) return Error(rc, "lookup " + OidHex(oid));
  ObjectPtr owned(obj);
  git_object* peeled = nullptr;
  rc = git_object_peel(&peeled, owned.get(), GIT_OBJECT_COMMIT);
  if (rc < 0) return Status::NotFound("not a commit: " + OidHex(oid));
  return CommitPtr(reinterpret_cast<git_commit*>(peeled));
}

}  // namespace spacehub::repo::git
