#include "service/job_service.h"

#include <algorithm>

#include "core/crypto.h"
#include "core/repo_id.h"
#include "service/hardware_grants.h"

namespace spacehub::service {

std::string NewJobId() { return RandomHex(12); }

Result<std::string> SealJobSecrets(Hub& hub, const std::string& id,
                                   const std::map<std::string, std::string>& secrets) {
  if (secrets.empty()) return std::string();
  return hub.secrets.Seal(nlohmann::json(secrets).dump(), "job:" + id);
}

Result<std::map<std::string, std::string>> JobService::OpenSecrets(Hub& hub,
                                                                   const db::JobRow& row) {
  std::map<std::string, std::string> out;
  if (row.sealed_secrets.empty()) return out;
  // Runs of a schedule carry the schedule's sealed secrets, bound to the schedule's id.
  const std::string& bound = row.scheduled_job_id.empty() ? row.id : row.scheduled_job_id;
  Result<std::string> plain = hub.secrets.Open(row.sealed_secrets, "job:" + bound);
  if (!plain.ok() && !row.scheduled_job_id.empty()) {
    plain = hub.secrets.Open(row.sealed_secrets, "job:" + row.id);
  }
  SH_TRY(plain.status());
  nlohmann::json j = nlohmann::json::parse(*plain, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Status::Internal("the job's secrets do not parse");
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.value().is_string()) out[it.key()] = it.value().get<std::string>();
  }
  return out;
}

Result<JobService::NamespaceAccess> JobService::Access(const Caller& who, std::string_view ns) {
  SH_TRY(RequireAuthenticated(who).status());
  auto hidden = [&] {
    return Status::NotFound("Namespace '" + std::string(ns).substr(0, 100) +
                            "' not found or you cannot see its jobs");
  };
  Result<db::Account> account = hub_.db.FindAccount(ns);
  if (!account.ok()) {
    if (account.status().code() == Code::kNotFound) return hidden();
    return account.status();
  }
  if (!auth::CanSeeNamespace(who, account->name)) return hidden();
  return NamespaceAccess{*account, auth::CanWrite(who, account->name)};
}

Result<JobService::NamespaceAccess> JobService::WriteAccess(const Caller& who,
                                                            std::string_view ns) {
  SH_ASSIGN_OR_RETURN(NamespaceAccess a, Access(who, ns));
  if (!a.write) {
    return Status::PermissionDenied(
        who->token.role < db::Role::kWrite
            ? "This token has the read role; running or stopping jobs needs a write token"
            : "You need the write role in '" + a.account.name + "' to run or stop its jobs");
  }
  return a;
}

Result<db::JobRow> JobService::Find(const NamespaceAccess& access, std::string_view id) {
  auto missing = [&] {
    return Status::NotFound("Job " + std::string(id).substr(0, 64) + " not found");
  };
  if (!IsHex(id, 24)) return missing();
  Result<db::JobRow> row = hub_.db.jobs().FindJob(id);
  if (!row.ok()) return row.status().code() == Code::kNotFound ? missing() : row.status();
  if (row->owner_id != access.account.id) return missing();
  return row;
}

Status JobService::Admit(const Caller& who, const db::Account& owner, JobSpec& spec) {
  auto catalog = hub_.hardware.Get();
  SH_TRY(ValidateJobSpec(spec, *catalog));
  SH_TRY(CheckHardwareGrant(hub_, who, owner.name, *catalog->Find(spec.flavor)));
  if (spec.space_id) {
    auto slash = spec.space_id->find('/');
    RepoId id{RepoType::kSpace, spec.space_id->substr(0, slash), spec.space_id->substr(slash + 1)};
    Result<db::RepoRow> row = RequireReadable(hub_, who, id);
    if (!row.ok()) {
      if (row.status().code() == Code::kNotFound) {
        return Status::InvalidArgument("Space '" + spec.space_id->substr(0, 200) +
                                       "' not found: a job can run in the environment of a "
                                       "Space you can see");
      }
      return row.status();
    }
    spec.space_id = row->repo.ns + "/" + row->repo.name;
  }
  if (spec.docker_image && runtime_) SH_TRY(runtime_->CheckImage(*spec.docker_image));
  return Status::Ok();
}

void JobService::Nudge() {
  if (runtime_) runtime_->Notify();
}

Result<db::JobRow> JobService::Run(const Caller& who, std::string_view ns, JobSpec spec) {
  SH_ASSIGN_OR_RETURN(NamespaceAccess access, WriteAccess(who, ns));
  SH_TRY(Admit(who, access.account, spec));
  db::JobRow row;
  row.id = NewJobId();
  row.owner_id = access.account.id;
  row.created_by = who->user.id;
  row.spec = SpecJson(spec).dump();
  SH_ASSIGN_OR_RETURN(row.sealed_secrets, SealJobSecrets(hub_, row.id, spec.secrets));
  row.flavor = spec.flavor;
  row.stage = db::JobStage::kScheduling;
  row.message = runtime_ ? "Waiting to start" : "This hub runs no jobs (serve --jobs-backend)";
  row.created_at = hub_.clock.NowMillis();
  row.timeout_seconds = spec.timeout_seconds.value_or(kDefaultJobTimeoutSeconds);
  row.labels = LabelsText(spec.labels);
  SH_TRY(hub_.db.jobs().CreateJob(row));
  Nudge();
  return hub_.db.jobs().FindJob(row.id);
}

Result<std::vector<db::JobRow>> JobService::List(const Caller& who, std::string_view ns,
                                                 const std::vector<db::JobStage>& stages) {
  SH_ASSIGN_OR_RETURN(NamespaceAccess access, Access(who, ns));
  db::JobQuery q;
  q.owner_id = access.account.id;
  q.stages = stages;
  return hub_.db.jobs().ListJobs(q);
}

Result<db::JobRow> JobService::Inspect(const Caller& who, std::string_view ns,
                                       std::string_view id) {
  SH_ASSIGN_OR_RETURN(NamespaceAccess access, Access(who, ns));
  return Find(access, id);
}

Result<db::JobRow> JobService::Cancel(const Caller& who, std::string_view ns, std::string_view id) {
  SH_ASSIGN_OR_RETURN(NamespaceAccess access, Access(who, ns));
  SH_ASSIGN_OR_RETURN(db::JobRow row, Find(access, id));
  if (!access.write) SH_TRY(WriteAccess(who, ns).status());
  if (db::IsFinal(row.stage)) return row;
  SH_ASSIGN_OR_RETURN(row, hub_.db.jobs().UpdateJob(id, [](db::JobRow& r, db::SpaceSettingsTxn&) {
    if (!db::IsFinal(r.stage)) r.cancel_requested = true;
    return Status::Ok();
  }));
  Nudge();
  return row;
}

Result<db::JobRow> JobService::SetLabels(const Caller& who, std::string_view ns,
                                         std::string_view id,
                                         const std::map<std::string, std::string>& labels) {
  SH_TRY(ValidateLabels(labels));
  SH_ASSIGN_OR_RETURN(NamespaceAccess access, WriteAccess(who, ns));
  SH_TRY(Find(access, id).status());
  std::string text = LabelsText(labels);
  return hub_.db.jobs().UpdateJob(id, [&text](db::JobRow& r, db::SpaceSettingsTxn&) {
    r.labels = text;
    return Status::Ok();
  });
}

Result<db::JobRow> JobService::Duplicate(const Caller& who, std::string_view ns,
                                         std::string_view id) {
  SH_ASSIGN_OR_RETURN(NamespaceAccess access, WriteAccess(who, ns));
  SH_ASSIGN_OR_RETURN(db::JobRow old, Find(access, id));
  JobSpec spec = SpecFromStored(old.spec);
  SH_ASSIGN_OR_RETURN(spec.secrets, OpenSecrets(hub_, old));
  spec.labels = LabelsFromText(old.labels);
  return Run(who, ns, std::move(spec));
}

Result<JobLogStream> JobService::Logs(const Caller& who, std::string_view ns, std::string_view id,
                                      size_t tail) {
  SH_ASSIGN_OR_RETURN(NamespaceAccess access, Access(who, ns));
  SH_ASSIGN_OR_RETURN(db::JobRow row, Find(access, id));
  JobLogStream out;
  if (!runtime_) {
    out.follower = std::make_unique<LogFollower>("/nonexistent", runtime::Redactor());
    return out;
  }
  // The runner redacts every line as it writes it; reading redacts again, so a value that reached
  // the log another way (a backend's own messages) is still never shown.
  SH_ASSIGN_OR_RETURN(auto secrets, OpenSecrets(hub_, row));
  std::vector<std::string> values;
  values.reserve(secrets.size());
  for (auto& [k, v] : secrets) values.push_back(std::move(v));
  out.follower = std::make_unique<LogFollower>(runtime_->LogPath(row.id),
                                               runtime::Redactor(std::move(values)));
  out.backlog = out.follower->Backlog(tail);
  return out;
}

bool JobService::LogIsLive(std::string_view id) {
  Result<db::JobRow> row = hub_.db.jobs().FindJob(id);
  return row.ok() && !db::IsFinal(row->stage);
}

Result<std::function<runtime::InstanceUsage()>> JobService::Metrics(const Caller& who,
                                                                    std::string_view ns,
                                                                    std::string_view id) {
  SH_ASSIGN_OR_RETURN(NamespaceAccess access, Access(who, ns));
  SH_ASSIGN_OR_RETURN(db::JobRow row, Find(access, id));
  JobRuntimeHook* rt = runtime_;
  std::string job_id = row.id;
  return std::function<runtime::InstanceUsage()>(
      [rt, job_id] { return rt ? rt->Usage(job_id) : runtime::InstanceUsage{}; });
}

}  // namespace spacehub::service
