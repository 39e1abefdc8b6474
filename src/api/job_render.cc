#include "api/job_render.h"

#include "api/render.h"
#include "core/time_util.h"
#include "service/job_spec.h"

namespace spacehub::api {
namespace {

nlohmann::json Owner(int64_t id, const std::string& name, const std::string& kind) {
  return {{"id", ObjectId(id)}, {"name", name}, {"type", kind == "org" ? "org" : "user"}};
}

nlohmann::json StoredSpec(const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_object() ? j : nlohmann::json::object();
}

nlohmann::json Labels(const std::string& text) {
  return nlohmann::json(service::LabelsFromText(text));
}

}  // namespace

nlohmann::json JobInfoJson(const db::JobRow& r) {
  nlohmann::json j = StoredSpec(r.spec);
  j["id"] = r.id;
  j["owner"] = Owner(r.owner_id, r.owner_name, r.owner_kind);
  nlohmann::json status = {{"stage", std::string(db::JobStageName(r.stage))},
                           {"message", r.message}};
  if (r.exit_code) status["exitCode"] = *r.exit_code;
  j["status"] = std::move(status);
  j["flavor"] = r.flavor;
  j["labels"] = Labels(r.labels);
  j["createdAt"] = FormatIsoMillis(r.created_at);
  if (r.started_at > 0) j["startedAt"] = FormatIsoMillis(r.started_at);
  if (r.finished_at > 0) j["finishedAt"] = FormatIsoMillis(r.finished_at);
  const int64_t started = r.started_at > 0 ? r.started_at : 0;
  nlohmann::json durations = nlohmann::json::object();
  if (started > 0) {
    durations["schedulingSecs"] = (started - r.created_at) / 1000;
    if (r.finished_at > 0) {
      durations["runningSecs"] = (r.finished_at - started) / 1000;
    }
  }
  if (r.finished_at > 0) durations["totalSecs"] = (r.finished_at - r.created_at) / 1000;
  j["durations"] = std::move(durations);
  if (!r.scheduled_job_id.empty()) {
    j["initiator"] = {{"type", "scheduled-job"}, {"id", r.scheduled_job_id}};
  } else {
    j["initiator"] = {{"type", "user"}, {"id", ObjectId(r.created_by)}};
  }
  return j;
}

nlohmann::json ScheduledJobInfoJson(const db::ScheduledJobRow& r) {
  nlohmann::json spec = StoredSpec(r.spec);
  // The scheduled job reader looks for `timeout` (spec §1.2).
  if (spec.contains("timeoutSeconds")) spec["timeout"] = spec["timeoutSeconds"];
  spec["labels"] = Labels(r.labels);
  nlohmann::json status = nlohmann::json::object();
  if (!r.last_job_id.empty()) {
    status["lastJob"] = {{"id", r.last_job_id}, {"at", FormatIsoMillis(r.last_job_at)}};
  }
  if (!r.suspend && r.next_run_at > 0) status["nextJobRunAt"] = FormatIsoMillis(r.next_run_at);
  return {{"id", r.id},
          {"owner", Owner(r.owner_id, r.owner_name, r.owner_kind)},
          {"createdAt", FormatIsoMillis(r.created_at)},
          {"schedule", r.schedule},
          {"suspend", r.suspend},
          {"concurrency", r.concurrency},
          {"labels", Labels(r.labels)},
          {"status", std::move(status)},
          {"jobSpec", std::move(spec)}};
}

}  // namespace spacehub::api
