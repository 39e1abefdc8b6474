// RepoStore read side for trees: ListTree, Stat, ReadFile.
//
// Sizes come from the object header (no blob load); only blobs small enough to be LFS pointers
// (<= 1024 bytes) are read, to report the real size of LFS files.
#include <string>
#include <vector>

#include "repo/git_util.h"
#include "repo/repo_store.h"
#include "repo/revision.h"

namespace spacehub::repo {
namespace {

constexpr size_t kMaxPointerBlob = 1024;

class TreeReader final {
 public:
  static Result<TreeReader> Open(const std::filesystem::path& git_dir, std::string_view commit) {
    SH_ASSIGN_OR_RETURN(git::RepoPtr repo, git::Open(git_dir));
    SH_ASSIGN_OR_RETURN(git_oid oid, ResolveCommitOid(repo.get(), commit));
    SH_ASSIGN_OR_RETURN(git::CommitPtr c, git::LookupCommit(repo.get(), oid));
    git_tree* tree = nullptr;
    int rc = git_commit_tree(&tree, c.get());
    if (rc < 0) return git::Error(rc, "read tree");
    git_odb* odb = nullptr;
    rc = git_repository_odb(&odb, repo.get());
    git::TreePtr root(tree);
    if (rc < 0) return git::Error(rc, "open object database");
    return TreeReader(std::move(repo), git::OdbPtr(odb), std::move(root));
  }

  const git_tree* root() const { return root_.get(); }

  // The entry at `path` (must not be empty); EntryNotFound when absent.
  Result<git::TreeEntryPtr> Find(std::string_view path) const {
    git_tree_entry* e = nullptr;
    std::string p(path);
    int rc = git_tree_entry_bypath(&e, root_.get(), p.c_str());
    if (rc == GIT_ENOTFOUND) return Status::EntryNotFound(path);
    if (rc < 0) return git::Error(rc, "lookup " + p);
    return git::TreeEntryPtr(e);
  }

  Result<TreeEntry> Describe(std::string path, const git_tree_entry* e) const {
    TreeEntry out;
    out.path = std::move(path);
    out.oid = git::OidHex(*git_tree_entry_id(e));
    git_object_t type = git_tree_entry_type(e);
    if (type == GIT_OBJECT_TREE) {
      out.is_dir = true;
      return out;
    }
    if (type != GIT_OBJECT_BLOB) return out;  // submodule link: a file of size 0
    size_t len = 0;
    git_object_t obj_type;
    int rc = git_odb_read_header(&len, &obj_type, odb_.get(), git_tree_entry_id(e));
    if (rc < 0) return git::Error(rc, "read " + out.path);
    out.size = len;
    if (len <= kMaxPointerBlob) {
      git_blob* blob = nullptr;
      rc = git_blob_lookup(&blob, repo_.get(), git_tree_entry_id(e));
      if (rc < 0) return git::Error(rc, "read " + out.path);
      git::BlobPtr owned(blob);
      std::string_view content(static_cast<const char*>(git_blob_rawcontent(blob)),
                               static_cast<size_t>(git_blob_rawsize(blob)));
      if (auto ptr = ParseLfsPointer(content)) {
        out.pointer_size = len;
        out.size = ptr->size;
        out.lfs = std::move(*ptr);
      }
    }
    return out;
  }

  // Entries of `tree`, paths prefixed with `prefix` ("" or "dir/").
  Result<std::vector<TreeEntry>> List(const git_tree* tree, const std::string& prefix,
                                      bool recursive) const {
    std::vector<TreeEntry> out;
    if (!recursive) {
      size_t n = git_tree_entrycount(tree);
      out.reserve(n);
      for (size_t i = 0; i < n; ++i) {
        const git_tree_entry* e = git_tree_entry_byindex(tree, i);
        SH_ASSIGN_OR_RETURN(TreeEntry entry, Describe(prefix + git_tree_entry_name(e), e));
        out.push_back(std::move(entry));
      }
      return out;
    }
    struct Walk {
      const TreeReader* self;
      const std::string* prefix;
      std::vector<TreeEntry>* out;
      Status status;
    } walk{this, &prefix, &out, Status::Ok()};
    auto cb = [](const char* root, const git_tree_entry* e, void* payload) -> int {
      auto* w = static_cast<Walk*>(payload);
      auto entry = w->self->Describe(*w->prefix + root + git_tree_entry_name(e), e);
      if (!entry.ok()) {
        w->status = std::move(entry).take_status();
        return -1;
      }
      w->out->push_back(std::move(entry).value());
      return 0;
    };
    int rc = git_tree_walk(tree, GIT_TREEWALK_PRE, cb, &walk);
    if (!walk.status.ok()) return std::move(walk.status);
    if (rc < 0) return git::Error(rc, "walk tree");
    return out;
  }

  Result<git::TreePtr> Subtree(const git_tree_entry* e) const {
    git_tree* t = nullptr;
    int rc = git_tree_lookup(&t, repo_.get(), git_tree_entry_id(e));
    if (rc < 0) return git::Error(rc, "read tree");
    return git::TreePtr(t);
  }

  git_repository* repo() const { return repo_.get(); }

 private:
  TreeReader(git::RepoPtr repo, git::OdbPtr odb, git::TreePtr root)
      : repo_(std::move(repo)), odb_(std::move(odb)), root_(std::move(root)) {}

  git::RepoPtr repo_;
  git::OdbPtr odb_;
  git::TreePtr root_;
};

std::string TrimSlashes(std::string_view p) {
  while (!p.empty() && p.back() == '/') p.remove_suffix(1);
  while (!p.empty() && p.front() == '/') p.remove_prefix(1);
  return std::string(p);
}

}  // namespace

// A path naming a file lists just that file (the Hub answers the same way).
Result<std::vector<TreeEntry>> RepoStore::ListTree(const RepoId& id, std::string_view commit,
                                                   std::string_view dir, bool recursive) const {
  SH_ASSIGN_OR_RETURN(TreeReader reader, TreeReader::Open(GitDir(id), commit));
  std::string d = TrimSlashes(dir);
  if (d.empty()) return reader.List(reader.root(), "", recursive);
  SH_ASSIGN_OR_RETURN(git::TreeEntryPtr e, reader.Find(d));
  if (git_tree_entry_type(e.get()) != GIT_OBJECT_TREE) {
    SH_ASSIGN_OR_RETURN(TreeEntry file, reader.Describe(d, e.get()));
    return std::vector<TreeEntry>{std::move(file)};
  }
  SH_ASSIGN_OR_RETURN(git::TreePtr sub, reader.Subtree(e.get()));
  return reader.List(sub.get(), d + "/", recursive);
}

Result<TreeEntry> RepoStore::Stat(const RepoId& id, std::string_view commit,
                                  std::string_view path) const {
  SH_ASSIGN_OR_RETURN(TreeReader reader, TreeReader::Open(GitDir(id), commit));
  std::string p = TrimSlashes(path);
  if (p.empty()) {
    TreeEntry root;
    root.is_dir = true;
    root.oid = git::OidHex(*git_tree_id(reader.root()));
    return root;
  }
  SH_ASSIGN_OR_RETURN(git::TreeEntryPtr e, reader.Find(p));
  return reader.Describe(p, e.get());
}

Result<std::string> RepoStore::ReadFile(const RepoId& id, std::string_view commit,
                                        std::string_view path) const {
  SH_ASSIGN_OR_RETURN(TreeReader reader, TreeReader::Open(GitDir(id), commit));
  std::string p = TrimSlashes(path);
  if (p.empty()) return Status::EntryNotFound(path);
  SH_ASSIGN_OR_RETURN(git::TreeEntryPtr e, reader.Find(p));
  if (git_tree_entry_type(e.get()) != GIT_OBJECT_BLOB) return Status::EntryNotFound(path);
  git_blob* blob = nullptr;
  int rc = git_blob_lookup(&blob, reader.repo(), git_tree_entry_id(e.get()));
  if (rc < 0) return git::Error(rc, "read " + p);
  git::BlobPtr owned(blob);
  return std::string(static_cast<const char*>(git_blob_rawcontent(blob)),
                     static_cast<size_t>(git_blob_rawsize(blob)));
}

}  // namespace spacehub::repo
