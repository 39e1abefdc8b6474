// SpaceService: creating a Space with its settings, and duplicating one.
#include <set>

#include "service/lfs_links.h"
#include "service/space_rules.h"
#include "service/space_service.h"

namespace spacehub::service {
namespace {

nlohmann::json Keys(const std::vector<SpaceEntryInput>& entries) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& e : entries) out.push_back(e.key);
  return out;
}

// Commits the files at the head of `source`'s main onto `copy`'s main (removing what the new repo
// had), with the LFS links the source had. A source without a commit copies nothing.
Status CopyFiles(Hub& hub, const db::RepoRow& source, const db::RepoRow& copy,
                 const std::string& author) {
  auto sha = hub.repos.ResolveRevision(source.repo, "main");
  if (!sha.ok()) return Status::Ok();
  SH_ASSIGN_OR_RETURN(auto src_files, hub.repos.ListTree(source.repo, *sha, "", true));
  SH_ASSIGN_OR_RETURN(auto dst_files, hub.repos.ListTree(copy.repo, "main", "", true));
  std::set<std::string> keep;
  repo::CommitRequest c;
  c.ref = "refs/heads/main";
  c.summary = "Duplicate from " + source.repo.Full();
  c.author_name = author;
  c.author_email = author + "@users.noreply.spacehub";
  for (const auto& f : src_files) {
    if (f.is_dir) continue;
    keep.insert(f.path);
    // The copy gets the LFS objects the source had linked, and no others: a pointer the source
    // could not serve is copied as it is and serves nothing in the copy either.
    if (f.lfs) {
      SH_TRY(CopyLfsLink(hub, source.id, copy.id, f.lfs->oid).status());
      c.ops.push_back(repo::AddLfsFile{f.path, *f.lfs});
    } else {
      SH_ASSIGN_OR_RETURN(std::string content, hub.repos.ReadFile(source.repo, *sha, f.path));
      if (auto pointer = repo::DetectLfsPointer(content)) {
        SH_TRY(CopyLfsLink(hub, source.id, copy.id, pointer->oid).status());
      }
      c.ops.push_back(repo::AddFile{f.path, std::move(content)});
    }
  }
  for (const auto& f : dst_files) {
    if (!f.is_dir && !keep.count(f.path)) c.ops.push_back(repo::DeleteFile{f.path});
  }
  SH_TRY(hub.repos.Commit(copy.repo, c).status());
  return hub.db.TouchRepo(copy.id, hub.clock.NowMillis());
}

// Variables come along; secrets never do (the request passes its own).
Status CopyVariables(Hub& hub, int64_t from, int64_t to) {
  SH_ASSIGN_OR_RETURN(auto vars, hub.db.ListSpaceEntries(from, db::SpaceEntryKind::kVariable));
  for (auto v : vars) {
    v.updated_at = hub.clock.NowMillis();
    SH_TRY(hub.db.PutSpaceEntry(to, db::SpaceEntryKind::kVariable, v));
  }
  return Status::Ok();
}

}  // namespace

Status SpaceService::CheckParams(const Caller& who, const std::string& owner,
                                 const SpaceParams& params, const CatalogData& catalog) {
  const Flavor* flavor = catalog.Find(catalog.default_flavor);
  if (params.hardware) {
    SH_ASSIGN_OR_RETURN(flavor, FindFlavor(catalog, *params.hardware));
    SH_TRY(CheckGrant(who, owner, *flavor));
  }
  if (params.sleep_seconds && flavor) {
    SH_TRY(ValidateSleepTime(params.sleep_seconds, *flavor, hub_.options.space_min_sleep_seconds)
               .status());
  }
  if (params.storage) SH_TRY(ValidateStorageTier(*params.storage));
  for (const auto& e : params.secrets) SH_TRY(ValidateEntryKey(e.key));
  for (const auto& e : params.variables) SH_TRY(ValidateEntryKey(e.key));
  return Status::Ok();
}

Status SpaceService::ApplyParams(const Caller& who, const db::RepoRow& row,
                                 const SpaceParams& params, const CatalogData& catalog,
                                 const std::string& action) {
  // Placed in the same transaction as it is saved: two new Spaces cannot both take the last unit.
  const int64_t min_sleep = hub_.options.space_min_sleep_seconds;
  SH_ASSIGN_OR_RETURN(SettingsOutcome out,
                      ChangeSettings(row, catalog, [&](db::SpaceSettingsRow& s) -> Result<bool> {
                        s.hardware_requested = params.hardware.value_or(catalog.default_flavor);
                        s.hardware_requested_at = hub_.clock.NowMillis();
                        if (params.sleep_seconds) {
                          if (const Flavor* flavor = catalog.Find(s.hardware_requested)) {
                            SH_ASSIGN_OR_RETURN(
                                s.sleep_seconds,
                                ValidateSleepTime(params.sleep_seconds, *flavor, min_sleep));
                          }
                        }
                        s.storage = params.storage.value_or("");
                        return false;
                      }));
  const db::SpaceSettingsRow& s = out.row;
  for (const auto& e : params.secrets) SH_TRY(PutSecret(row, e));
  for (const auto& e : params.variables) SH_TRY(PutVariable(row, e));
  nlohmann::json details = {{"hardware", s.hardware_requested}};
  if (params.storage) details["storageTier"] = *params.storage;
  if (params.sleep_seconds) details["sleepTimeSeconds"] = *params.sleep_seconds;
  if (!params.secrets.empty()) details["secrets"] = Keys(params.secrets);
  if (!params.variables.empty()) details["variables"] = Keys(params.variables);
  Record(row, who, action, details);
  return Status::Ok();
}

Result<db::RepoRow> SpaceService::Create(const Caller& who, CreateRepoInput input,
                                         const SpaceParams& params, const std::string& base_url) {
  SH_ASSIGN_OR_RETURN(const auth::Principal* p, RequireAuthenticated(who));
  std::string owner = input.ns.empty() ? p->user.name : input.ns;
  SH_TRY(RequireNamespaceWrite(hub_, who, owner));
  auto catalog = hub_.hardware.Get();
  SH_TRY(CheckParams(who, owner, params, *catalog));
  SH_ASSIGN_OR_RETURN(db::RepoRow row, repos_.Create(who, std::move(input), base_url));
  Status st = ApplyParams(who, row, params, *catalog, "create");
  if (!st.ok()) {
    (void)repos_.Delete(who, row.repo);
    return st;
  }
  return row;
}

Result<db::RepoRow> SpaceService::Duplicate(const Caller& who, const RepoId& from,
                                            DuplicateInput input, const std::string& base_url) {
  SH_ASSIGN_OR_RETURN(const auth::Principal* p, RequireAuthenticated(who));
  SH_ASSIGN_OR_RETURN(db::RepoRow source, RequireReadable(hub_, who, from));
  std::string ns = input.to.ns.empty() ? p->user.name : input.to.ns;
  SH_ASSIGN_OR_RETURN(RepoId to, MakeRepoId(RepoType::kSpace, ns, input.to.name));
  SH_TRY(RequireNamespaceWrite(hub_, who, to.ns));
  auto catalog = hub_.hardware.Get();
  SH_TRY(CheckParams(who, to.ns, input.params, *catalog));

  CreateRepoInput create;
  create.type = RepoType::kSpace;
  create.ns = to.ns;
  create.name = to.name;
  create.is_private = input.is_private.value_or(source.is_private);
  create.sdk = source.sdk.empty() ? "gradio" : source.sdk;
  SH_ASSIGN_OR_RETURN(db::RepoRow row, repos_.Create(who, std::move(create), base_url));

  auto copy = [&]() -> Status {
    SH_TRY(CopyFiles(hub_, source, row, p->user.name));
    SH_TRY(CopyVariables(hub_, source.id, row.id));
    SH_TRY(ApplyParams(who, row, input.params, *catalog, "duplicate"));
    Record(row, who, "duplicated.from", {{"source", source.repo.Full()}});
    return Status::Ok();
  };
  Status st = copy();
  if (!st.ok()) {
    (void)repos_.Delete(who, row.repo);
    return std::move(st).Annotate("duplicate " + source.repo.Full());
  }
  return row;
}

}  // namespace spacehub::service
