// The Jobs API's JSON shapes (job_render.h): the fields huggingface_hub requires, durations from
// the row's times, and no secret value whatever the row holds.
#include "api/job_render.h"

#include <gtest/gtest.h>

#include <string>

namespace spacehub::api {
namespace {

constexpr int64_t kT0 = 1767225600000;  // 2026-01-01T00:00:00Z

db::JobRow Row() {
  db::JobRow r;
  r.id = std::string(24, 'a');
  r.owner_id = 7;
  r.owner_name = "acme";
  r.owner_kind = "org";
  r.created_by = 3;
  r.spec = R"({"dockerImage":"python:3.12","command":["python"],"secrets":["HF_TOKEN"],)"
           R"("flavor":"cpu-basic","timeoutSeconds":60})";
  r.sealed_secrets = "SEALED-hf_secretvalue";
  r.flavor = "cpu-basic";
  r.created_at = kT0;
  r.labels = R"({"team":"a"})";
  return r;
}

TEST(JobRenderTest, AWaitingJobHasTheRequiredFields) {
  db::JobRow r = Row();
  r.message = "Waiting for hardware";
  nlohmann::json j = JobInfoJson(r);
  EXPECT_EQ(j["id"], r.id);
  EXPECT_EQ(j["owner"]["name"], "acme");
  EXPECT_EQ(j["owner"]["type"], "org");
  EXPECT_TRUE(j["owner"]["id"].is_string());
  EXPECT_EQ(j["status"]["stage"], "SCHEDULING");
  EXPECT_EQ(j["status"]["message"], "Waiting for hardware");
  EXPECT_FALSE(j["status"].contains("exitCode"));
  EXPECT_EQ(j["dockerImage"], "python:3.12");
  EXPECT_EQ(j["flavor"], "cpu-basic");
  EXPECT_EQ(j["labels"], nlohmann::json({{"team", "a"}}));
  EXPECT_EQ(j["createdAt"], "2026-01-01T00:00:00.000Z");
  EXPECT_FALSE(j.contains("startedAt"));
  EXPECT_FALSE(j.contains("finishedAt"));
  EXPECT_EQ(j["durations"], nlohmann::json::object());
  EXPECT_EQ(j["initiator"]["type"], "user");
  EXPECT_EQ(j["secrets"], nlohmann::json({"HF_TOKEN"}));
  EXPECT_EQ(j.dump().find("SEALED"), std::string::npos);
  EXPECT_EQ(j.dump().find("hf_secretvalue"), std::string::npos);
}

TEST(JobRenderTest, AnEndedJobHasItsDurationsAndExitCode) {
  db::JobRow r = Row();
  r.stage = db::JobStage::kError;
  r.exit_code = 3;
  r.started_at = kT0 + 5'000;
  r.finished_at = kT0 + 65'500;
  r.scheduled_job_id = std::string(24, 'b');
  nlohmann::json j = JobInfoJson(r);
  EXPECT_EQ(j["status"]["stage"], "ERROR");
  EXPECT_EQ(j["status"]["exitCode"], 3);
  EXPECT_EQ(j["startedAt"], "2026-01-01T00:00:05.000Z");
  EXPECT_EQ(j["durations"]["schedulingSecs"], 5);
  EXPECT_EQ(j["durations"]["runningSecs"], 60);
  EXPECT_EQ(j["durations"]["totalSecs"], 65);
  EXPECT_EQ(j["initiator"],
            nlohmann::json({{"type", "scheduled-job"}, {"id", r.scheduled_job_id}}));

  // Canceled before it started: a total, no running time.
  r.started_at = 0;
  r.exit_code.reset();
  r.stage = db::JobStage::kCanceled;
  j = JobInfoJson(r);
  EXPECT_FALSE(j["status"].contains("exitCode"));
  EXPECT_FALSE(j["durations"].contains("runningSecs"));
  EXPECT_EQ(j["durations"]["totalSecs"], 65);
}

TEST(JobRenderTest, TheRowWinsOverWhatTheSpecSays) {
  db::JobRow r = Row();
  // A spec text that tries to pass for other fields, or does not parse.
  r.spec = R"({"id":"x","owner":"mallory","status":{"stage":"COMPLETED"},"flavor":"h100"})";
  nlohmann::json j = JobInfoJson(r);
  EXPECT_EQ(j["id"], r.id);
  EXPECT_EQ(j["owner"]["name"], "acme");
  EXPECT_EQ(j["status"]["stage"], "SCHEDULING");
  EXPECT_EQ(j["flavor"], "cpu-basic");
  for (const char* garbage : {"", "not json", "[1]", "null"}) {
    r.spec = garbage;
    j = JobInfoJson(r);
    EXPECT_EQ(j["id"], r.id) << garbage;
    EXPECT_EQ(j["status"]["stage"], "SCHEDULING") << garbage;
  }
  r.labels = "garbage";
  EXPECT_EQ(JobInfoJson(r)["labels"], nlohmann::json::object());
}

TEST(JobRenderTest, ScheduledJobInfo) {
  db::ScheduledJobRow s;
  s.id = std::string(24, 'c');
  s.owner_id = 3;
  s.owner_name = "alice";
  s.owner_kind = "user";
  s.spec = Row().spec;
  s.sealed_secrets = "SEALED-hf_secretvalue";
  s.schedule = "@hourly";
  s.concurrency = true;
  s.labels = R"({"k":"v"})";
  s.created_at = kT0;
  s.next_run_at = kT0 + 3600 * 1000;
  nlohmann::json j = ScheduledJobInfoJson(s);
  EXPECT_EQ(j["id"], s.id);
  EXPECT_EQ(j["owner"]["name"], "alice");
  EXPECT_EQ(j["owner"]["type"], "user");
  EXPECT_EQ(j["schedule"], "@hourly");
  EXPECT_EQ(j["suspend"], false);
  EXPECT_EQ(j["concurrency"], true);
  EXPECT_EQ(j["jobSpec"]["timeout"], 60);  // the key the scheduled-job reader looks for
  EXPECT_EQ(j["jobSpec"]["timeoutSeconds"], 60);
  EXPECT_EQ(j["jobSpec"]["labels"], nlohmann::json({{"k", "v"}}));
  EXPECT_EQ(j["jobSpec"]["secrets"], nlohmann::json({"HF_TOKEN"}));
  EXPECT_EQ(j["status"]["nextJobRunAt"], "2026-01-01T01:00:00.000Z");
  EXPECT_FALSE(j["status"].contains("lastJob"));
  EXPECT_EQ(j.dump().find("SEALED"), std::string::npos);

  s.suspend = true;
  s.last_job_id = std::string(24, 'd');
  s.last_job_at = kT0 + 1000;
  j = ScheduledJobInfoJson(s);
  EXPECT_FALSE(j["status"].contains("nextJobRunAt"));
  EXPECT_EQ(j["status"]["lastJob"]["id"], s.last_job_id);
  EXPECT_EQ(j["status"]["lastJob"]["at"], "2026-01-01T00:00:01.000Z");
}

}  // namespace
}  // namespace spacehub::api
