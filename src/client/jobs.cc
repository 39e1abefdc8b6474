// Jobs and scheduled jobs (spec §1): run, list, inspect, cancel, hardware; create, list,
// inspect, delete, suspend, resume and trigger a schedule. The log stream is in job_logs.cc.
#include "client/client_impl.h"
#include "client/jobs_url.h"
#include "client/jobs_wire.h"
#include "client/url.h"
#include "spacehub/hub_client.h"

namespace spacehub::client {

using nlohmann::json;

namespace detail {

std::pair<std::string, std::string> SplitJobId(const std::string& job_id, const std::string& ns) {
  const size_t slash = job_id.find('/');
  std::pair<std::string, std::string> out{ns, job_id};
  if (slash != std::string::npos) out = {job_id.substr(0, slash), job_id.substr(slash + 1)};
  if (out.second.empty() || out.second.find('/') != std::string::npos) {
    throw LocalError(ErrorKind::kInvalidArgument, "a job id is ID or NAMESPACE/ID: " + job_id);
  }
  return out;
}

std::string JobsUrl(const std::string& endpoint, const char* collection, const std::string& ns,
                    const std::string& id, const char* suffix) {
  std::string url = endpoint + "/api/" + collection + "/" + Quote(ns, false);
  if (!id.empty()) url += "/" + Quote(id, false);
  return url + suffix;
}

}  // namespace detail

namespace {

constexpr const char* kJobs = "jobs";
constexpr const char* kScheduled = "scheduled-jobs";

}  // namespace

std::string HubClient::Impl::Namespace(const HubClient& client, const std::string& ns) const {
  if (!ns.empty()) return ns;
  return client.Whoami().name;
}

std::string HubClient::Impl::JobUrl(const HubClient& client, const char* collection,
                                    const std::string& id, const std::string& ns,
                                    const char* suffix) const {
  auto [job_ns, job_id] = detail::SplitJobId(id, ns);
  return detail::JobsUrl(config_.endpoint, collection, Namespace(client, job_ns), job_id, suffix);
}

JobInfo HubClient::RunJob(const JobSpec& spec, const std::string& ns) const {
  json body = detail::JobSpecJson(spec);
  const std::string url = detail::JobsUrl(endpoint(), kJobs, impl_->Namespace(*this, ns), "", "");
  return detail::ParseJobInfo(impl_->CallJson("POST", url, body), endpoint());
}

std::vector<JobInfo> HubClient::ListJobs(const std::string& ns) const {
  std::vector<JobInfo> out;
  impl_->Paginate(detail::JobsUrl(endpoint(), kJobs, impl_->Namespace(*this, ns), "", ""),
                  [&](const json& item) {
                    out.push_back(detail::ParseJobInfo(item, endpoint()));
                    return true;
                  });
  return out;
}

JobInfo HubClient::InspectJob(const std::string& job_id, const std::string& ns) const {
  return detail::ParseJobInfo(impl_->CallJson("GET", impl_->JobUrl(*this, kJobs, job_id, ns, "")),
                              endpoint());
}

void HubClient::CancelJob(const std::string& job_id, const std::string& ns) const {
  impl_->CallJson("POST", impl_->JobUrl(*this, kJobs, job_id, ns, "/cancel"));
}

std::vector<JobHardware> HubClient::ListJobsHardware() const {
  std::vector<JobHardware> out;
  json list = impl_->CallJson("GET", endpoint() + "/api/jobs/hardware");
  if (!list.is_array()) return out;
  for (const auto& item : list) out.push_back(detail::ParseJobHardware(item));
  return out;
}

ScheduledJobInfo HubClient::CreateScheduledJob(const JobSpec& spec, const std::string& schedule,
                                               const ScheduledJobOptions& options,
                                               const std::string& ns) const {
  if (schedule.empty()) throw LocalError(ErrorKind::kInvalidArgument, "the schedule is empty");
  json body = {{"jobSpec", detail::JobSpecJson(spec)}, {"schedule", schedule}};
  if (options.suspend) body["suspend"] = *options.suspend;
  if (options.concurrency) body["concurrency"] = *options.concurrency;
  const std::string url =
      detail::JobsUrl(endpoint(), kScheduled, impl_->Namespace(*this, ns), "", "");
  return detail::ParseScheduledJobInfo(impl_->CallJson("POST", url, body));
}

std::vector<ScheduledJobInfo> HubClient::ListScheduledJobs(const std::string& ns) const {
  std::vector<ScheduledJobInfo> out;
  impl_->Paginate(detail::JobsUrl(endpoint(), kScheduled, impl_->Namespace(*this, ns), "", ""),
                  [&](const json& item) {
                    out.push_back(detail::ParseScheduledJobInfo(item));
                    return true;
                  });
  return out;
}

ScheduledJobInfo HubClient::InspectScheduledJob(const std::string& scheduled_job_id,
                                                const std::string& ns) const {
  return detail::ParseScheduledJobInfo(
      impl_->CallJson("GET", impl_->JobUrl(*this, kScheduled, scheduled_job_id, ns, "")));
}

void HubClient::DeleteScheduledJob(const std::string& scheduled_job_id,
                                   const std::string& ns) const {
  impl_->CallJson("DELETE", impl_->JobUrl(*this, kScheduled, scheduled_job_id, ns, ""));
}

void HubClient::SuspendScheduledJob(const std::string& scheduled_job_id,
                                    const std::string& ns) const {
  impl_->CallJson("POST", impl_->JobUrl(*this, kScheduled, scheduled_job_id, ns, "/suspend"));
}

void HubClient::ResumeScheduledJob(const std::string& scheduled_job_id,
                                   const std::string& ns) const {
  impl_->CallJson("POST", impl_->JobUrl(*this, kScheduled, scheduled_job_id, ns, "/resume"));
}

JobInfo HubClient::TriggerScheduledJob(const std::string& scheduled_job_id,
                                       const std::string& ns) const {
  return detail::ParseJobInfo(
      impl_->CallJson("POST", impl_->JobUrl(*this, kScheduled, scheduled_job_id, ns, "/run")),
      endpoint());
}

}  // namespace spacehub::client
