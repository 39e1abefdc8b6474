// The Jobs API's JSON both ways (spec §1.1, §1.2), and the job-id and URL shapes.
#include "client/jobs_wire.h"

#include <gtest/gtest.h>

#include "client/jobs_url.h"
#include "spacehub/errors.h"

namespace spacehub::client::detail {
namespace {

using nlohmann::json;

TEST(JobsWireTest, SpecAlwaysSendsCommandEnvironmentAndFlavor) {
  JobSpec spec;
  spec.image = "python:3.12";
  spec.command = {"python", "-c", "print(1)"};
  const json want = {{"command", {"python", "-c", "print(1)"}},
                     {"arguments", json::array()},
                     {"environment", json::object()},
                     {"flavor", "cpu-basic"},
                     {"dockerImage", "python:3.12"}};
  EXPECT_EQ(JobSpecJson(spec), want);
}

TEST(JobsWireTest, SpecSendsOptionalFieldsOnlyWhenSet) {
  JobSpec spec;
  spec.image = "ubuntu";
  spec.flavor = "a10g-small";
  spec.env = {{"A", "1"}};
  spec.secrets = {{"HF_TOKEN", "hf_x"}};
  spec.timeout_seconds = 5400;
  spec.labels = {{"team", "ml"}};
  json j = JobSpecJson(spec);
  EXPECT_EQ(j["flavor"], "a10g-small");
  EXPECT_EQ(j["environment"], json({{"A", "1"}}));
  EXPECT_EQ(j["secrets"], json({{"HF_TOKEN", "hf_x"}}));
  EXPECT_EQ(j["timeoutSeconds"], 5400);
  EXPECT_EQ(j["labels"], json({{"team", "ml"}}));
  spec.timeout_seconds = 0;  // not truthy: left to the server's default
  EXPECT_FALSE(JobSpecJson(spec).contains("timeoutSeconds"));
}

TEST(JobsWireTest, SpaceImagesAreSentAsSpaceId) {
  const char* const space_images[] = {"https://huggingface.co/spaces/ns/app",
                                      "https://hf.co/spaces/ns/app", "huggingface.co/spaces/ns/app",
                                      "hf.co/spaces/ns/app"};
  for (const char* image : space_images) {
    JobSpec spec;
    spec.image = image;
    json j = JobSpecJson(spec);
    EXPECT_EQ(j.value("spaceId", ""), "ns/app") << image;
    EXPECT_FALSE(j.contains("dockerImage")) << image;
  }
  for (const char* image : {"hf.co/models/x", "ghcr.io/astral-sh/uv:python3.12-bookworm",
                            "http://hf.co/spaces/ns/app", "spaces/ns/app"}) {
    JobSpec spec;
    spec.image = image;
    json j = JobSpecJson(spec);
    EXPECT_EQ(j.value("dockerImage", ""), image);
    EXPECT_FALSE(j.contains("spaceId")) << image;
  }
}

TEST(JobsWireTest, SpecRefusesNoImageAndASpaceWithoutName) {
  JobSpec spec;
  EXPECT_THROW(JobSpecJson(spec), LocalError);
  spec.image = "hf.co/spaces/";
  EXPECT_THROW(JobSpecJson(spec), LocalError);
  spec.image = "hf.co/spaces/justname";
  EXPECT_THROW(JobSpecJson(spec), LocalError);
}

TEST(JobsWireTest, ParsesAFullJobInfo) {
  json j = json::parse(R"({
    "id": "6870a1", "createdAt": "2026-12-02T10:00:00.000Z",
    "startedAt": "2026-12-02T10:00:05.000Z", "finishedAt": "2026-12-02T10:01:00.000Z",
    "dockerImage": "python:3.12", "command": ["python", "x.py"], "arguments": ["--n", "1"],
    "environment": {"A": "1", "N": 2}, "secrets": ["HF_TOKEN"], "flavor": "cpu-basic",
    "labels": {"name": "x"},
    "status": {"stage": "RUNNING", "message": null, "exposeUrls": ["https://u"],
               "sshUrl": "ssh://6870a1@h"},
    "owner": {"id": "u1", "name": "alice", "type": "user"}})");
  JobInfo info = ParseJobInfo(j, "http://127.0.0.1:9");
  EXPECT_EQ(info.id, "6870a1");
  EXPECT_EQ(info.owner.name, "alice");
  EXPECT_EQ(info.owner.type, "user");
  EXPECT_EQ(info.status.stage, "RUNNING");
  EXPECT_EQ(info.status.message, "");
  EXPECT_EQ(info.status.expose_urls, std::vector<std::string>{"https://u"});
  EXPECT_EQ(info.status.ssh_url, "ssh://6870a1@h");
  EXPECT_EQ(info.created_at, "2026-12-02T10:00:00.000Z");
  EXPECT_EQ(info.finished_at, "2026-12-02T10:01:00.000Z");
  EXPECT_EQ(info.docker_image, "python:3.12");
  EXPECT_FALSE(info.space_id.has_value());
  EXPECT_EQ(info.arguments, (std::vector<std::string>{"--n", "1"}));
  EXPECT_EQ(info.env.at("A"), "1");
  EXPECT_EQ(info.env.at("N"), "2");
  EXPECT_EQ(info.secrets, std::vector<std::string>{"HF_TOKEN"});
  EXPECT_EQ(info.labels.at("name"), "x");
  EXPECT_EQ(info.url, "http://127.0.0.1:9/jobs/alice/6870a1");
  EXPECT_EQ(json::parse(info.raw_json), j);
}

TEST(JobsWireTest, JobInfoAcceptsSnakeCaseAndSecretsAsAMap) {
  json j = json::parse(R"({"id": "j", "owner": {"id": "o", "name": "org", "type": "org"},
    "status": {"stage": "ERROR", "message": "exit 1", "ssh_url": "ssh://x"},
    "created_at": "c", "docker_image": null, "space_id": "ns/app",
    "secrets": {"A": "hidden", "B": "hidden"}})");
  JobInfo info = ParseJobInfo(j, "http://h");
  EXPECT_EQ(info.created_at, "c");
  EXPECT_EQ(info.space_id, "ns/app");
  EXPECT_FALSE(info.docker_image.has_value());
  EXPECT_EQ(info.secrets, (std::vector<std::string>{"A", "B"}));
  EXPECT_EQ(info.status.message, "exit 1");
  EXPECT_EQ(info.status.ssh_url, "ssh://x");
  EXPECT_TRUE(IsTerminalJobStage(info.status.stage));
}

TEST(JobsWireTest, JobInfoNeedsIdOwnerAndStatusOnly) {
  JobInfo minimal = ParseJobInfo(
      json::parse(R"({"id": "j", "owner": {"name": "a"}, "status": {"stage": "SCHEDULING"}})"),
      "http://h");
  EXPECT_EQ(minimal.id, "j");
  EXPECT_TRUE(minimal.command.empty());
  EXPECT_TRUE(minimal.env.empty());
  EXPECT_EQ(minimal.flavor, "");
  EXPECT_FALSE(IsTerminalJobStage(minimal.status.stage));
  for (const char* bad :
       {R"({"owner": {}, "status": {}})", R"({"id": "j", "status": {}})",
        R"({"id": "j", "owner": {}})", R"({"id": "j", "owner": "x", "status": {}})", R"([])",
        R"(null)", R"("text")"}) {
    EXPECT_THROW(ParseJobInfo(json::parse(bad), "http://h"), HttpError) << bad;
  }
}

TEST(JobsWireTest, JobInfoIgnoresFieldsOfTheWrongType) {
  JobInfo info = ParseJobInfo(json::parse(R"({"id": 7, "owner": {"name": 1},
    "status": {"stage": 3, "exposeUrls": "x"}, "command": "ls", "environment": [1],
    "labels": "x", "flavor": {}})"),
                              "http://h");
  EXPECT_EQ(info.id, "7");
  EXPECT_EQ(info.owner.name, "");
  EXPECT_EQ(info.status.stage, "");
  EXPECT_TRUE(info.status.expose_urls.empty());
  EXPECT_TRUE(info.command.empty());
  EXPECT_TRUE(info.env.empty());
  EXPECT_EQ(info.flavor, "");
}

TEST(JobsWireTest, ParsesScheduledJobInfo) {
  json j = json::parse(R"({"id": "s1", "owner": {"id": "u", "name": "alice", "type": "user"},
    "createdAt": "c", "schedule": "@hourly", "suspend": true, "concurrency": false,
    "status": {"lastJob": {"id": "j9", "at": "t"}, "nextJobRunAt": "n"},
    "jobSpec": {"spaceId": "ns/app", "command": ["run"], "environment": {"K": "V"},
                "secrets": ["S"], "flavor": "t4-small", "timeout": 600}})");
  ScheduledJobInfo info = ParseScheduledJobInfo(j);
  EXPECT_EQ(info.id, "s1");
  EXPECT_EQ(info.schedule, "@hourly");
  EXPECT_TRUE(info.suspend);
  EXPECT_FALSE(info.concurrency);
  EXPECT_EQ(info.last_job_id, "j9");
  EXPECT_EQ(info.last_job_at, "t");
  EXPECT_EQ(info.next_job_run_at, "n");
  EXPECT_EQ(info.space_id, "ns/app");
  EXPECT_EQ(info.command, std::vector<std::string>{"run"});
  EXPECT_EQ(info.env.at("K"), "V");
  EXPECT_EQ(info.secrets, std::vector<std::string>{"S"});
  EXPECT_EQ(info.flavor, "t4-small");
  EXPECT_EQ(info.timeout_seconds, 600);
}

TEST(JobsWireTest, ScheduledJobInfoToleratesMissingAndSnakeCase) {
  ScheduledJobInfo info = ParseScheduledJobInfo(json::parse(
      R"({"id": "s", "owner": {"name": "a"}, "job_spec": {"docker_image": "x",
          "timeoutSeconds": 30}, "status": {"last_job": null, "next_job_run_at": "n"}})"));
  EXPECT_EQ(info.docker_image, "x");
  EXPECT_EQ(info.timeout_seconds, 30);
  EXPECT_EQ(info.next_job_run_at, "n");
  EXPECT_EQ(info.last_job_id, "");
  EXPECT_EQ(info.schedule, "");
  ScheduledJobInfo bare = ParseScheduledJobInfo(json::parse(R"({"id": "s", "owner": {}})"));
  EXPECT_FALSE(bare.timeout_seconds.has_value());
  EXPECT_FALSE(bare.suspend);
  EXPECT_THROW(ParseScheduledJobInfo(json::parse(R"({"id": "s"})")), HttpError);
}

TEST(JobsWireTest, ParsesHardware) {
  JobHardware gpu = ParseJobHardware(json::parse(R"({"name": "a10g-small",
    "prettyName": "Nvidia A10G - small", "cpu": "4 vCPU", "ram": "15 GB",
    "accelerator": {"type": "gpu", "model": "a10g", "quantity": "1", "vram": "24 GB",
                    "manufacturer": "Nvidia"},
    "unitCostMicroUSD": 16667, "unitCostUSD": 0.016667, "unitLabel": "minute"})"));
  EXPECT_EQ(gpu.name, "a10g-small");
  EXPECT_EQ(gpu.pretty_name, "Nvidia A10G - small");
  ASSERT_TRUE(gpu.accelerator.has_value());
  EXPECT_EQ(gpu.accelerator->quantity, "1");
  EXPECT_EQ(gpu.accelerator->vram, "24 GB");
  EXPECT_EQ(gpu.unit_cost_micro_usd, 16667);
  EXPECT_DOUBLE_EQ(gpu.unit_cost_usd, 0.016667);
  EXPECT_EQ(gpu.unit_label, "minute");
  JobHardware cpu = ParseJobHardware(json::parse(
      R"({"name": "cpu-basic", "accelerator": null, "unit_cost_micro_usd": 167,
          "accelerator_extra": 1})"));
  EXPECT_FALSE(cpu.accelerator.has_value());
  EXPECT_EQ(cpu.unit_cost_micro_usd, 167);
  JobHardware numeric = ParseJobHardware(json::parse(R"({"accelerator": {"quantity": 2}})"));
  EXPECT_EQ(numeric.accelerator->quantity, "2");
}

TEST(JobsWireTest, LogEvents) {
  JobLogLine line;
  EXPECT_EQ(ParseJobLogEvent(R"({"data": "hello", "timestamp": "t"})", &line), JobLogEvent::kLine);
  EXPECT_EQ(line.data, "hello");
  EXPECT_EQ(line.timestamp, "t");
  EXPECT_EQ(ParseJobLogEvent(R"({"data": "===== Job started at 2026 ====="})", &line),
            JobLogEvent::kHidden);
  for (const char* other :
       {"", "hello", "[1]", "{not json", R"({"data": 1})", R"({"x": "y"})", " {\"data\": \"x\"}"}) {
    EXPECT_EQ(ParseJobLogEvent(other, &line), JobLogEvent::kNotAnEvent) << other;
  }
}

TEST(JobsWireTest, JobIdsAndUrls) {
  EXPECT_EQ(SplitJobId("abc", "alice"), (std::pair<std::string, std::string>{"alice", "abc"}));
  EXPECT_EQ(SplitJobId("org/abc", "alice"), (std::pair<std::string, std::string>{"org", "abc"}));
  EXPECT_EQ(SplitJobId("abc", ""), (std::pair<std::string, std::string>{"", "abc"}));
  for (const char* bad : {"", "org/", "a/b/c"}) {
    EXPECT_THROW(SplitJobId(bad, "x"), LocalError) << bad;
  }
  EXPECT_EQ(JobsUrl("http://h", "jobs", "alice", "", ""), "http://h/api/jobs/alice");
  EXPECT_EQ(JobsUrl("http://h", "scheduled-jobs", "a b", "x?y", "/run"),
            "http://h/api/scheduled-jobs/a%20b/x%3Fy/run");
}

}  // namespace
}  // namespace spacehub::client::detail
