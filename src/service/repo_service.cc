#include "service/repo_service.h"

#include <array>

#include "core/time_util.h"
#include "service/front_matter.h"
#include "service/space_hosts.h"

namespace spacehub::service {
namespace {

constexpr std::array<std::string_view, 4> kSdks = {"gradio", "streamlit", "docker", "static"};

// The Hub's default LFS patterns for a new repository: archives, tensors, pickles, model formats.
constexpr std::string_view kDefaultGitattributes =
    "*.7z filter=lfs diff=lfs merge=lfs -text\n"
    "*.arrow filter=lfs diff=lfs merge=lfs -text\n"
    "*.bin filter=lfs diff=lfs merge=lfs -text\n"
    "*.bz2 filter=lfs diff=lfs merge=lfs -text\n"
    "*.ckpt filter=lfs diff=lfs merge=lfs -text\n"
    "*.ftz filter=lfs diff=lfs merge=lfs -text\n"
    "*.gz filter=lfs diff=lfs merge=lfs -text\n"
    "*.h5 filter=lfs diff=lfs merge=lfs -text\n"
    "*.joblib filter=lfs diff=lfs merge=lfs -text\n"
    "*.lfs.* filter=lfs diff=lfs merge=lfs -text\n"
    "*.mlmodel filter=lfs diff=lfs merge=lfs -text\n"
    "*.model filter=lfs diff=lfs merge=lfs -text\n"
    "*.msgpack filter=lfs diff=lfs merge=lfs -text\n"
    "*.npy filter=lfs diff=lfs merge=lfs -text\n"
    "*.npz filter=lfs diff=lfs merge=lfs -text\n"
    "*.onnx filter=lfs diff=lfs merge=lfs -text\n"
    "*.ot filter=lfs diff=lfs merge=lfs -text\n"
    "*.parquet filter=lfs diff=lfs merge=lfs -text\n"
    "*.pb filter=lfs diff=lfs merge=lfs -text\n"
    "*.pickle filter=lfs diff=lfs merge=lfs -text\n"
    "*.pkl filter=lfs diff=lfs merge=lfs -text\n"
    "*.pt filter=lfs diff=lfs merge=lfs -text\n"
    "*.pth filter=lfs diff=lfs merge=lfs -text\n"
    "*.rar filter=lfs diff=lfs merge=lfs -text\n"
    "*.safetensors filter=lfs diff=lfs merge=lfs -text\n"
    "saved_model/**/* filter=lfs diff=lfs merge=lfs -text\n"
    "*.tar.* filter=lfs diff=lfs merge=lfs -text\n"
    "*.tar filter=lfs diff=lfs merge=lfs -text\n"
    "*.tflite filter=lfs diff=lfs merge=lfs -text\n"
    "*.tgz filter=lfs diff=lfs merge=lfs -text\n"
    "*.wasm filter=lfs diff=lfs merge=lfs -text\n"
    "*.xz filter=lfs diff=lfs merge=lfs -text\n"
    "*.zip filter=lfs diff=lfs merge=lfs -text\n"
    "*.zst filter=lfs diff=lfs merge=lfs -text\n"
    "*tfevents* filter=lfs diff=lfs merge=lfs -text\n";

Status ValidateSdk(RepoType type, const std::string& sdk) {
  if (type != RepoType::kSpace) return Status::Ok();
  for (auto s : kSdks) {
    if (sdk == s) return Status::Ok();
  }
  return Status::InvalidArgument("Invalid Space SDK '" + sdk +
                                 "': expected one of gradio, streamlit, docker, static");
}

db::RepoSort ParseSort(const std::string& sort) {
  if (sort == "lastModified" || sort == "last_modified") return db::RepoSort::kLastModified;
  if (sort == "createdAt" || sort == "created_at") return db::RepoSort::kCreatedAt;
  if (sort == "name") return db::RepoSort::kName;
  // likes/downloads/trendingScore are all zero on a fresh hub: fall back to recency.
  if (sort.empty() || sort == "id") return db::RepoSort::kId;
  return db::RepoSort::kLastModified;
}

}  // namespace

std::string RepoUrl(const std::string& base_url, const RepoId& id) {
  return base_url + "/" + std::string(RepoTypeUrlPrefix(id.type)) + id.Full();
}

std::vector<repo::CommitOp> InitialFiles(const RepoId& id, const std::string& sdk) {
  std::vector<repo::CommitOp> ops;
  ops.push_back(repo::AddFile{".gitattributes", std::string(kDefaultGitattributes)});
  if (id.type == RepoType::kSpace) {
    std::string readme = "---\ntitle: " + id.name +
                         "\nemoji: 🚀\ncolorFrom: blue\ncolorTo: green\nsdk: " + sdk +
                         "\npinned: false\n---\n\n# " + id.name + "\n";
    ops.push_back(repo::AddFile{"README.md", std::move(readme)});
    if (sdk == "static") {
      ops.push_back(repo::AddFile{
          "index.html", "<!doctype html>\n<html>\n<head><meta charset=\"utf-8\"><title>" + id.name +
                            "</title></head>\n<body>\n<h1>" + id.name +
                            "</h1>\n</body>\n</html>\n"});
    }
  }
  return ops;
}

Result<db::RepoRow> RepoService::Create(const Caller& who, CreateRepoInput input,
                                        const std::string& base_url) {
  SH_ASSIGN_OR_RETURN(const auth::Principal* p, RequireAuthenticated(who));
  if (input.ns.empty()) input.ns = p->user.name;
  if (input.type == RepoType::kSpace && input.sdk.empty()) {
    return Status::InvalidArgument("A Space needs an SDK: gradio, streamlit, docker or static");
  }
  SH_ASSIGN_OR_RETURN(RepoId id, MakeRepoId(input.type, input.ns, input.name));
  SH_TRY(ValidateSdk(input.type, input.sdk));
  SH_TRY(RequireNamespaceWrite(hub_, who, id.ns));
  // The namespace's canonical spelling, so "Alice/x" and "alice/x" are one repo.
  SH_ASSIGN_OR_RETURN(db::Account owner, hub_.db.FindAccount(id.ns));
  id.ns = owner.name;

  int64_t now = hub_.clock.NowMillis();
  db::RepoRow row;
  row.repo = id;
  row.is_private = input.is_private;
  row.created_at = now;
  row.updated_at = now;
  row.sdk = input.type == RepoType::kSpace ? input.sdk : "";
  auto created = hub_.db.CreateRepo(row);
  if (!created.ok()) {
    if (created.status().code() != Code::kConflict) return std::move(created).take_status();
    auto existing = hub_.db.FindRepo(id);
    RepoId shown = existing.ok() ? existing->repo : id;
    return Status::Conflict("You already created this " + std::string(RepoTypeName(id.type)) +
                            " repo")
        .WithField("url", RepoUrl(base_url, shown));
  }
  // After the row exists, so that of two Spaces racing for one host label the newer yields.
  if (Status taken = CheckSpaceHostFree(hub_, who, *created, /*only_older=*/true); !taken.ok()) {
    (void)hub_.db.DeleteRepo(created->id);
    return taken;
  }
  // A directory without a row is debris from a crash between these two steps: replace it.
  if (hub_.repos.Exists(id)) (void)hub_.repos.Delete(id);
  Status st = hub_.repos.Create(id);
  if (st.ok()) {
    repo::CommitRequest init;
    init.ref = "refs/heads/main";
    init.summary = "initial commit";
    init.author_name = p->user.name;
    init.author_email = p->user.name + "@users.noreply.spacehub";
    init.ops = InitialFiles(id, row.sdk);
    st = hub_.repos.Commit(id, init).status();
  }
  if (!st.ok()) {
    (void)hub_.repos.Delete(id);
    (void)hub_.db.DeleteRepo(created->id);
    return std::move(st).Annotate("create repository");
  }
  return created;
}

Status RepoService::Delete(const Caller& who, const RepoId& id) {
  SH_ASSIGN_OR_RETURN(db::RepoRow row, RequireWritable(hub_, who, id));
  // Row first: once it is gone the repo is invisible; the directory follows.
  SH_TRY(hub_.db.DeleteRepo(row.id));
  return hub_.repos.Delete(row.repo);
}

Status RepoService::Move(const Caller& who, const RepoId& from, const RepoId& to) {
  SH_ASSIGN_OR_RETURN(db::RepoRow row, RequireWritable(hub_, who, from));
  SH_TRY(RequireNamespaceWrite(hub_, who, to.ns));
  SH_ASSIGN_OR_RETURN(db::Account owner, hub_.db.FindAccount(to.ns));
  RepoId target = to;
  target.ns = owner.name;
  if (hub_.db.FindRepo(target).ok()) {
    return Status::Conflict("A repository named " + target.Full() + " already exists");
  }
  db::RepoRow moved = row;
  moved.repo = target;
  SH_TRY(CheckSpaceHostFree(hub_, who, moved, /*only_older=*/false));
  SH_TRY(hub_.repos.Move(row.repo, target));
  Status st = hub_.db.MoveRepo(row.id, target);
  if (st.ok()) {
    // Checked again once moved: a Space created or renamed onto the label meanwhile wins.
    st = CheckSpaceHostFree(hub_, who, moved, /*only_older=*/false);
    if (!st.ok()) (void)hub_.db.MoveRepo(row.id, row.repo);
  }
  if (!st.ok()) (void)hub_.repos.Move(target, row.repo);
  return st;
}

Status RepoService::SetPrivate(const Caller& who, const RepoId& id, bool is_private) {
  SH_ASSIGN_OR_RETURN(db::RepoRow row, RequireWritable(hub_, who, id));
  return hub_.db.SetRepoPrivate(row.id, is_private);
}

Result<RepoInfo> RepoService::Info(const Caller& who, const RepoId& id,
                                   const std::string& revision) {
  SH_ASSIGN_OR_RETURN(db::RepoRow row, RequireReadable(hub_, who, id));
  RepoInfo info;
  info.repo = ViewOf(row);
  info.row = row;
  info.last_modified = row.updated_at;
  auto sha = hub_.repos.ResolveRevision(row.repo, revision);
  if (!sha.ok()) {
    // A repo without any commit still has info (no sha, no files); other revisions must exist.
    if (revision == "main") {
      auto refs = hub_.repos.ListRefs(row.repo);
      if (refs.ok() && refs->branches.empty()) return info;
    }
    return std::move(sha).take_status();
  }
  info.sha = *sha;
  SH_ASSIGN_OR_RETURN(info.snapshot, Snapshot(row.repo, info.sha));
  info.last_modified = info.snapshot->commit_time;
  return info;
}

Result<std::shared_ptr<const CommitSnapshot>> RepoService::Snapshot(const RepoId& id,
                                                                    const std::string& sha) {
  if (auto cached = snapshots_.Find(sha)) return cached;
  auto snap = std::make_shared<CommitSnapshot>();
  SH_ASSIGN_OR_RETURN(repo::CommitInfo head, hub_.repos.GetCommit(id, sha));
  snap->commit_time = head.time_millis;
  SH_ASSIGN_OR_RETURN(std::vector<repo::TreeEntry> entries, hub_.repos.ListTree(id, sha, "", true));
  for (auto& e : entries) {
    if (!e.is_dir) snap->files.push_back(std::move(e));
  }
  auto readme = hub_.repos.ReadFile(id, sha, "README.md");
  if (readme.ok()) {
    auto card = ParseFrontMatter(*readme);
    // A broken README must not break repo info: the Hub shows no cardData then.
    if (card.ok()) snap->card_data = std::move(*card);
  }
  std::shared_ptr<const CommitSnapshot> out = std::move(snap);
  snapshots_.Put(sha, out);
  return out;
}

Result<std::vector<RepoView>> RepoService::List(const Caller& who, const ListReposInput& in) {
  db::RepoQuery q;
  q.type = in.type;
  q.author = in.author;
  q.search = in.search;
  q.sort = ParseSort(in.sort);
  q.descending = in.descending;
  q.offset = in.offset;
  q.limit = in.limit;
  q.visible_namespaces = auth::VisibleNamespaces(who);
  q.all_private = who && who->user.is_admin;
  SH_ASSIGN_OR_RETURN(std::vector<db::RepoRow> rows, hub_.db.ListRepos(q));
  std::vector<RepoView> views;
  views.reserve(rows.size());
  for (const auto& row : rows) views.push_back(ViewOf(row));
  return views;
}

}  // namespace spacehub::service
