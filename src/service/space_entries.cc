// SpaceService: secrets (sealed at rest), variables and the event log.
#include <spdlog/spdlog.h>

#include "service/space_rules.h"
#include "service/space_service.h"

namespace spacehub::service {
namespace {

// Binds a sealed value to its Space and name: moved anywhere else it fails to open.
std::string SecretAad(int64_t repo_id, std::string_view key) {
  return "space-secret:" + std::to_string(repo_id) + ":" + std::string(key);
}

}  // namespace

Status SpaceService::RestartForEntries(const db::RepoRow& row) {
  return ChangeSettings(row, *hub_.hardware.Get(),
                        [](db::SpaceSettingsRow&) -> Result<bool> { return true; })
      .status();
}

// An update that sends no description keeps the stored one; the store does that in the same
// statement as the write, so a concurrent update's description is not overwritten with an old one.
Status SpaceService::PutSecret(const db::RepoRow& row, const SpaceEntryInput& in) {
  SH_TRY(ValidateEntryKey(in.key));
  auto sealed = hub_.secrets.Seal(in.value, SecretAad(row.id, in.key));
  if (!sealed.ok()) return Status::Internal("Cannot store the secret " + in.key);
  db::SpaceEntry e{in.key, std::move(*sealed), in.description.value_or(""), hub_.clock.NowMillis()};
  return hub_.db.UpsertSpaceEntry(row.id, db::SpaceEntryKind::kSecret, e, !in.description);
}

Status SpaceService::PutVariable(const db::RepoRow& row, const SpaceEntryInput& in) {
  SH_TRY(ValidateEntryKey(in.key));
  db::SpaceEntry e{in.key, in.value, in.description.value_or(""), hub_.clock.NowMillis()};
  return hub_.db.UpsertSpaceEntry(row.id, db::SpaceEntryKind::kVariable, e, !in.description);
}

Result<std::vector<db::SpaceEntry>> SpaceService::Secrets(const Caller& who, const RepoId& id) {
  SH_ASSIGN_OR_RETURN(db::RepoRow row, RequireManage(who, id));
  SH_ASSIGN_OR_RETURN(auto entries, hub_.db.ListSpaceEntries(row.id, db::SpaceEntryKind::kSecret));
  for (auto& e : entries) e.value.clear();  // write-only
  return entries;
}

Status SpaceService::AddSecret(const Caller& who, const RepoId& id, const SpaceEntryInput& in) {
  SH_ASSIGN_OR_RETURN(db::RepoRow row, RequireManage(who, id));
  SH_TRY(PutSecret(row, in));
  SH_TRY(RestartForEntries(row));
  Record(row, who, "secret.add", {{"key", in.key}});  // the key only, never the value
  return Status::Ok();
}

Status SpaceService::DeleteSecret(const Caller& who, const RepoId& id, const std::string& key) {
  SH_ASSIGN_OR_RETURN(db::RepoRow row, RequireManage(who, id));
  SH_TRY(hub_.db.DeleteSpaceEntry(row.id, db::SpaceEntryKind::kSecret, key));
  SH_TRY(RestartForEntries(row));
  Record(row, who, "secret.delete", {{"key", key}});
  return Status::Ok();
}

Result<std::vector<db::SpaceEntry>> SpaceService::Variables(const Caller& who, const RepoId& id) {
  SH_ASSIGN_OR_RETURN(db::RepoRow row, RequireManage(who, id));
  return hub_.db.ListSpaceEntries(row.id, db::SpaceEntryKind::kVariable);
}

Result<std::vector<db::SpaceEntry>> SpaceService::AddVariable(const Caller& who, const RepoId& id,
                                                              const SpaceEntryInput& in) {
  SH_ASSIGN_OR_RETURN(db::RepoRow row, RequireManage(who, id));
  SH_TRY(PutVariable(row, in));
  SH_TRY(RestartForEntries(row));
  Record(row, who, "variable.add", {{"key", in.key}});
  return hub_.db.ListSpaceEntries(row.id, db::SpaceEntryKind::kVariable);
}

Result<std::vector<db::SpaceEntry>> SpaceService::DeleteVariable(const Caller& who,
                                                                 const RepoId& id,
                                                                 const std::string& key) {
  SH_ASSIGN_OR_RETURN(db::RepoRow row, RequireManage(who, id));
  SH_TRY(hub_.db.DeleteSpaceEntry(row.id, db::SpaceEntryKind::kVariable, key));
  SH_TRY(RestartForEntries(row));
  Record(row, who, "variable.delete", {{"key", key}});
  return hub_.db.ListSpaceEntries(row.id, db::SpaceEntryKind::kVariable);
}

Result<std::vector<db::SpaceEvent>> SpaceService::Events(const Caller& who, const RepoId& id,
                                                         size_t limit) {
  SH_ASSIGN_OR_RETURN(db::RepoRow row, RequireManage(who, id));
  return hub_.db.ListSpaceEvents(row.id, limit);
}

Result<std::map<std::string, std::string>> SpaceService::SecretEnvironment(const db::RepoRow& row) {
  SH_ASSIGN_OR_RETURN(auto entries, hub_.db.ListSpaceEntries(row.id, db::SpaceEntryKind::kSecret));
  std::map<std::string, std::string> env;
  for (const auto& e : entries) {
    auto plain = hub_.secrets.Open(e.value, SecretAad(row.id, e.key));
    if (!plain.ok()) {
      return std::move(plain).take_status().Annotate("secret " + e.key + " of " + row.repo.Full());
    }
    env[e.key] = std::move(*plain);
  }
  return env;
}

Result<int64_t> SpaceService::ResealSecrets() {
  SH_ASSIGN_OR_RETURN(auto all, hub_.db.ListAllSpaceSecrets());
  int64_t resealed = 0;
  for (auto& [repo_id, e] : all) {
    if (!hub_.secrets.NeedsReseal(e.value)) continue;
    std::string aad = SecretAad(repo_id, e.key);
    auto plain = hub_.secrets.Open(e.value, aad);
    if (!plain.ok()) {
      return std::move(plain).take_status().Annotate("secret " + e.key + " of Space #" +
                                                     std::to_string(repo_id));
    }
    SH_ASSIGN_OR_RETURN(std::string sealed, hub_.secrets.Seal(*plain, aad));
    // Only if the owner did not replace the secret meanwhile (its new value is sealed already).
    SH_ASSIGN_OR_RETURN(bool replaced,
                        hub_.db.ReplaceSpaceEntryValue(repo_id, db::SpaceEntryKind::kSecret, e.key,
                                                       e.value, sealed));
    if (replaced) ++resealed;
  }
  return resealed;
}

}  // namespace spacehub::service
