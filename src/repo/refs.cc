// RepoStore refs: listing, branches, tags and pull-request numbering.
#include <algorithm>
#include <charconv>
#include <string>

#include "repo/git_util.h"
#include "repo/repo_store.h"
#include "repo/revision.h"

namespace spacehub::repo {
namespace {

constexpr std::string_view kHeads = "refs/heads/";
constexpr std::string_view kTags = "refs/tags/";
constexpr std::string_view kConvert = "refs/convert/";
constexpr std::string_view kPulls = "refs/pr/";

// N for "refs/pr/N", -1 for anything else.
int PullNumber(std::string_view ref) {
  if (!ref.starts_with(kPulls)) return -1;
  std::string_view digits = ref.substr(kPulls.size());
  int n = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || end != digits.data() + digits.size() || n <= 0) return -1;
  return n;
}

// Calls fn(full_name, commit_oid) for every ref under refs/ that peels to a commit.
template <typename Fn>
Status ForEachRef(git_repository* repo, Fn&& fn) {
  git_reference_iterator* raw = nullptr;
  int rc = git_reference_iterator_glob_new(&raw, repo, "refs/*");
  if (rc < 0) return git::Error(rc, "list refs");
  git::RefIteratorPtr it(raw);
  git_reference* ref_raw = nullptr;
  while ((rc = git_reference_next(&ref_raw, it.get())) == 0) {
    git::ReferencePtr ref(ref_raw);
    git_object* peeled = nullptr;
    if (git_reference_peel(&peeled, ref.get(), GIT_OBJECT_COMMIT) < 0) continue;
    git::ObjectPtr obj(peeled);
    fn(std::string(git_reference_name(ref.get())), git::OidHex(*git_object_id(peeled)));
  }
  if (rc != GIT_ITEROVER) return git::Error(rc, "list refs");
  return Status::Ok();
}

bool ByName(const RefInfo& a, const RefInfo& b) { return a.name < b.name; }

Status DeleteRef(const std::filesystem::path& git_dir, std::string_view name,
                 std::string_view prefix) {
  SH_TRY(ValidateRefShortName(name, prefix));
  SH_ASSIGN_OR_RETURN(git::RepoPtr repo, git::Open(git_dir));
  std::string full = std::string(prefix) + std::string(name);
  git_reference* raw = nullptr;
  int rc = git_reference_lookup(&raw, repo.get(), full.c_str());
  if (rc == GIT_ENOTFOUND) return Status::RevisionNotFound(name);
  if (rc < 0) return git::Error(rc, "lookup " + full);
  git::ReferencePtr ref(raw);
  rc = git_reference_delete(ref.get());
  if (rc < 0) return git::Error(rc, "delete " + full);
  return Status::Ok();
}

}  // namespace

// Branches, tags and converts are sorted by name; pull requests by number.
Result<Refs> RepoStore::ListRefs(const RepoId& id) const {
  SH_ASSIGN_OR_RETURN(git::RepoPtr repo, git::Open(GitDir(id)));
  Refs refs;
  SH_TRY(ForEachRef(repo.get(), [&](std::string full, std::string target) {
    auto add = [&](std::vector<RefInfo>& to, std::string name) {
      to.push_back(RefInfo{std::move(name), full, std::move(target)});
    };
    if (full.starts_with(kHeads)) {
      add(refs.branches, full.substr(kHeads.size()));
    } else if (full.starts_with(kTags)) {
      add(refs.tags, full.substr(kTags.size()));
    } else if (full.starts_with(kConvert)) {
      add(refs.converts, full.substr(kConvert.size()));
    } else if (PullNumber(full) > 0) {
      add(refs.pull_requests, full);
    }
  }));
  std::sort(refs.branches.begin(), refs.branches.end(), ByName);
  std::sort(refs.tags.begin(), refs.tags.end(), ByName);
  std::sort(refs.converts.begin(), refs.converts.end(), ByName);
  std::sort(
      refs.pull_requests.begin(), refs.pull_requests.end(),
      [](const RefInfo& a, const RefInfo& b) { return PullNumber(a.ref) < PullNumber(b.ref); });
  return refs;
}

Status RepoStore::CreateBranch(const RepoId& id, std::string_view name, std::string_view commit) {
  SH_TRY(ValidateRefShortName(name, kHeads));
  SH_ASSIGN_OR_RETURN(git::RepoPtr repo, git::Open(GitDir(id)));
  SH_ASSIGN_OR_RETURN(git_oid target, ResolveCommitOid(repo.get(), commit));
  Status st = git::CreateRefIfAbsent(repo.get(), std::string(kHeads) + std::string(name), target);
  InvalidateRefs(id);
  if (st.code() == Code::kConflict) {
    return Status::Conflict("Branch " + std::string(name) + " already exists");
  }
  return st;
}

Status RepoStore::DeleteBranch(const RepoId& id, std::string_view name) {
  if (name == "main") return Status::InvalidArgument("Cannot delete the default branch 'main'");
  Status st = DeleteRef(GitDir(id), name, kHeads);
  InvalidateRefs(id);
  return st;
}

Status RepoStore::CreateTag(const RepoId& id, std::string_view name, std::string_view commit,
                            std::string_view message, std::string_view tagger_name,
                            std::string_view tagger_email) {
  SH_TRY(ValidateRefShortName(name, kTags));
  SH_ASSIGN_OR_RETURN(git::RepoPtr repo, git::Open(GitDir(id)));
  SH_ASSIGN_OR_RETURN(git_oid target, ResolveCommitOid(repo.get(), commit));
  std::string short_name(name);
  git_oid ref_target = target;
  if (!message.empty()) {
    SH_ASSIGN_OR_RETURN(git::SignaturePtr tagger, git::SignatureNow(tagger_name, tagger_email));
    git_object* obj = nullptr;
    int rc = git_object_lookup(&obj, repo.get(), &target, GIT_OBJECT_COMMIT);
    if (rc < 0) return git::Error(rc, "lookup " + git::OidHex(target));
    git::ObjectPtr target_obj(obj);
    std::string msg(message);
    rc = git_tag_annotation_create(&ref_target, repo.get(), short_name.c_str(), target_obj.get(),
                                   tagger.get(), msg.c_str());
    if (rc < 0) return git::Error(rc, "create tag object " + short_name);
  }
  Status st = git::CreateRefIfAbsent(repo.get(), std::string(kTags) + short_name, ref_target);
  InvalidateRefs(id);
  if (st.code() == Code::kConflict)
    return Status::Conflict("Tag " + short_name + " already exists");
  return st;
}

Status RepoStore::DeleteTag(const RepoId& id, std::string_view name) {
  Status st = DeleteRef(GitDir(id), name, kTags);
  InvalidateRefs(id);
  return st;
}

Result<int> RepoStore::NextPullRequestNumber(const RepoId& id) const {
  SH_ASSIGN_OR_RETURN(git::RepoPtr repo, git::Open(GitDir(id)));
  int max = 0;
  SH_TRY(ForEachRef(repo.get(), [&](const std::string& full, const std::string&) {
    max = std::max(max, PullNumber(full));
  }));
  return max + 1;
}

}  // namespace spacehub::repo
