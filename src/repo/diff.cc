// RepoStore::DiffCommit: libgit2's tree-to-tree diff of a commit against its first parent, cut to
// DiffLimits (repo/diff.h).
#include "repo/diff.h"

#include <algorithm>
#include <string>
#include <utility>

#include "repo/git_util.h"
#include "repo/repo_store.h"
#include "repo/revision.h"

namespace spacehub::repo {
namespace {

using DiffPtr = std::unique_ptr<git_diff, git::Deleter<git_diff_free>>;
using PatchPtr = std::unique_ptr<git_patch, git::Deleter<git_patch_free>>;

constexpr size_t kMaxPointerBlob = 1024;
// Past this many changed files, renames are matched by identical content only: inexact matching
// compares every added file with every deleted one.
constexpr size_t kMaxSimilarityFiles = 1000;

DiffStatus ToStatus(git_delta_t s) {
  switch (s) {
    case GIT_DELTA_ADDED:
    case GIT_DELTA_COPIED:
      return DiffStatus::kAdded;
    case GIT_DELTA_DELETED:
      return DiffStatus::kDeleted;
    case GIT_DELTA_RENAMED:
      return DiffStatus::kRenamed;
    default:
      return DiffStatus::kModified;
  }
}

class CommitDiffer final {
 public:
  static Result<CommitDiffer> Open(const std::filesystem::path& git_dir, std::string_view commit) {
    SH_ASSIGN_OR_RETURN(git::RepoPtr repo, git::Open(git_dir));
    SH_ASSIGN_OR_RETURN(git_oid oid, ResolveCommitOid(repo.get(), commit));
    git_odb* odb = nullptr;
    int rc = git_repository_odb(&odb, repo.get());
    if (rc < 0) return git::Error(rc, "open object database");
    return CommitDiffer(std::move(repo), git::OdbPtr(odb), oid);
  }

  Result<CommitDiff> Run(const DiffLimits& limits) {
    CommitDiff out;
    SH_ASSIGN_OR_RETURN(DiffPtr diff, TreeDiff(limits, &out));
    out.total_files = git_diff_num_deltas(diff.get());
    size_t total_patch = 0;
    for (size_t i = 0; i < std::min(out.total_files, limits.max_files); ++i) {
      SH_ASSIGN_OR_RETURN(FileDiff f, File(diff.get(), i, limits));
      if (!f.patch.empty() && total_patch + f.patch.size() > limits.max_total_patch_bytes) {
        f.patch.clear();
        f.truncated = true;
      }
      total_patch += f.patch.size();
      out.files.push_back(std::move(f));
    }
    return out;
  }

 private:
  CommitDiffer(git::RepoPtr repo, git::OdbPtr odb, git_oid commit)
      : repo_(std::move(repo)), odb_(std::move(odb)), commit_(commit) {}

  // The commit's tree against its first parent's (none for a root commit), renames found.
  Result<DiffPtr> TreeDiff(const DiffLimits& limits, CommitDiff* out) {
    SH_ASSIGN_OR_RETURN(git::CommitPtr c, git::LookupCommit(repo_.get(), commit_));
    out->commit_id = git::OidHex(commit_);
    git_tree* raw = nullptr;
    int rc = git_commit_tree(&raw, c.get());
    git::TreePtr tree(raw);
    if (rc < 0) return git::Error(rc, "read tree");
    git::TreePtr parent_tree;
    if (git_commit_parentcount(c.get()) > 0) {
      out->parent_id = git::OidHex(*git_commit_parent_id(c.get(), 0));
      SH_ASSIGN_OR_RETURN(git::CommitPtr parent,
                          git::LookupCommit(repo_.get(), *git_commit_parent_id(c.get(), 0)));
      rc = git_commit_tree(&raw, parent.get());
      parent_tree.reset(raw);
      if (rc < 0) return git::Error(rc, "read parent tree");
    }
    git_diff_options opts = GIT_DIFF_OPTIONS_INIT;
    opts.max_size = static_cast<git_off_t>(limits.max_blob_bytes);
    git_diff* d = nullptr;
    rc = git_diff_tree_to_tree(&d, repo_.get(), parent_tree.get(), tree.get(), &opts);
    DiffPtr diff(d);
    if (rc < 0) return git::Error(rc, "diff " + out->commit_id);
    git_diff_find_options find = GIT_DIFF_FIND_OPTIONS_INIT;
    find.flags = GIT_DIFF_FIND_RENAMES;
    if (!SimilarityIsCheap(diff.get(), limits)) find.flags |= GIT_DIFF_FIND_EXACT_MATCH_ONLY;
    rc = git_diff_find_similar(diff.get(), &find);
    if (rc < 0) return git::Error(rc, "find renames in " + out->commit_id);
    return diff;
  }

  // Inexact rename detection reads every added and deleted blob whole (libgit2 has no size limit
  // there): only when they are few and none is over the blob limit.
  bool SimilarityIsCheap(git_diff* diff, const DiffLimits& limits) const {
    size_t n = git_diff_num_deltas(diff);
    if (n > kMaxSimilarityFiles) return false;
    for (size_t i = 0; i < n; ++i) {
      const git_diff_delta* d = git_diff_get_delta(diff, i);
      if (d->status != GIT_DELTA_ADDED && d->status != GIT_DELTA_DELETED) continue;
      const git_diff_file& f = d->status == GIT_DELTA_ADDED ? d->new_file : d->old_file;
      if (BlobSize(f.id) > limits.max_blob_bytes) return false;
    }
    return true;
  }

  // The blob's size from its object header (0 for the zero id of a side that does not exist).
  uint64_t BlobSize(const git_oid& id) const {
    if (git_oid_is_zero(&id)) return 0;
    size_t len = 0;
    git_object_t type;
    if (git_odb_read_header(&len, &type, odb_.get(), &id) < 0) return 0;
    return len;
  }

  std::optional<LfsPointer> PointerAt(const git_oid& id) const {
    if (git_oid_is_zero(&id) || BlobSize(id) > kMaxPointerBlob) return std::nullopt;
    git_blob* raw = nullptr;
    if (git_blob_lookup(&raw, repo_.get(), &id) < 0) return std::nullopt;
    git::BlobPtr blob(raw);
    std::string_view content(static_cast<const char*>(git_blob_rawcontent(blob.get())),
                             static_cast<size_t>(git_blob_rawsize(blob.get())));
    return ParseLfsPointer(content);
  }

  Result<FileDiff> File(git_diff* diff, size_t i, const DiffLimits& limits) const {
    const git_diff_delta* d = git_diff_get_delta(diff, i);
    FileDiff f;
    f.old_path = d->old_file.path != nullptr ? d->old_file.path : "";
    f.new_path = d->new_file.path != nullptr ? d->new_file.path : "";
    f.status = ToStatus(d->status);
    f.old_lfs = PointerAt(d->old_file.id);
    f.new_lfs = PointerAt(d->new_file.id);
    f.lfs = f.old_lfs.has_value() || f.new_lfs.has_value();
    if (std::max(BlobSize(d->old_file.id), BlobSize(d->new_file.id)) > limits.max_blob_bytes) {
      f.truncated = true;
      return f;
    }
    git_patch* raw = nullptr;
    int rc = git_patch_from_diff(&raw, diff, i);
    PatchPtr patch(raw);
    if (rc < 0) return git::Error(rc, "diff " + f.new_path);
    if (patch == nullptr) return f;
    if ((git_patch_get_delta(patch.get())->flags & GIT_DIFF_FLAG_BINARY) != 0) {
      f.binary = true;
      return f;
    }
    size_t context = 0;
    rc = git_patch_line_stats(&context, &f.additions, &f.deletions, patch.get());
    if (rc < 0) return git::Error(rc, "diff " + f.new_path);
    SH_ASSIGN_OR_RETURN(f.truncated, Hunks(patch.get(), limits.max_file_patch_bytes, &f.patch));
    return f;
  }

  // Appends the patch's hunks to `out`; true (and `out` cleared) when they exceed `max_bytes`.
  static Result<bool> Hunks(git_patch* patch, size_t max_bytes, std::string* out) {
    for (size_t h = 0; h < git_patch_num_hunks(patch); ++h) {
      const git_diff_hunk* hunk = nullptr;
      size_t lines = 0;
      int rc = git_patch_get_hunk(&hunk, &lines, patch, h);
      if (rc < 0) return git::Error(rc, "read hunk");
      out->append(hunk->header, hunk->header_len);
      for (size_t l = 0; l < lines; ++l) {
        const git_diff_line* line = nullptr;
        rc = git_patch_get_line_in_hunk(&line, patch, h, l);
        if (rc < 0) return git::Error(rc, "read hunk line");
        AppendLine(*line, out);
        if (out->size() > max_bytes) {
          out->clear();
          return true;
        }
      }
    }
    return false;
  }

  static void AppendLine(const git_diff_line& line, std::string* out) {
    switch (line.origin) {
      case GIT_DIFF_LINE_CONTEXT_EOFNL:
      case GIT_DIFF_LINE_ADD_EOFNL:
      case GIT_DIFF_LINE_DEL_EOFNL:
        *out += "\\ No newline at end of file\n";
        return;
      default:
        break;
    }
    *out += line.origin;
    out->append(line.content, line.content_len);
    if (line.content_len == 0 || line.content[line.content_len - 1] != '\n') *out += '\n';
  }

  git::RepoPtr repo_;
  git::OdbPtr odb_;
  git_oid commit_;
};

}  // namespace

Result<CommitDiff> RepoStore::DiffCommit(const RepoId& id, std::string_view commit,
                                         const DiffLimits& limits) const {
  SH_ASSIGN_OR_RETURN(CommitDiffer differ, CommitDiffer::Open(GitDir(id), commit));
  return differ.Run(limits);
}

}  // namespace spacehub::repo
