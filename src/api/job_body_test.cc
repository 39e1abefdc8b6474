// The Jobs API's request bodies (job_body.h) as clients send them, camelCase and snake_case, and
// as hostile clients send them: wrong types, odd timeouts, features this hub does not offer.
#include "api/job_body.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace spacehub::api {
namespace {

using nlohmann::json;

json Body() { return {{"dockerImage", "python:3.12"}, {"command", {"python", "-c", "1"}}}; }

Code CodeOf(const json& body) { return ParseJobSpec(body).status().code(); }

TEST(JobBodyTest, CamelCaseAsTheClientsSendIt) {
  json body = Body();
  body["arguments"] = {"--n", "3"};
  body["environment"] = {{"MODE", "fast"}, {"UNSET", nullptr}};
  body["secrets"] = {{"HF_TOKEN", "hf_x"}};
  body["flavor"] = "t4-small";
  body["timeoutSeconds"] = 90;
  body["labels"] = {{"team", "a"}};
  body["arch"] = "amd64";
  auto spec = ParseJobSpec(body);
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->docker_image, "python:3.12");
  EXPECT_EQ(spec->space_id, std::nullopt);
  EXPECT_EQ(spec->command, (std::vector<std::string>{"python", "-c", "1"}));
  EXPECT_EQ(spec->arguments, (std::vector<std::string>{"--n", "3"}));
  EXPECT_EQ(spec->environment, (std::map<std::string, std::string>{{"MODE", "fast"}}));
  EXPECT_EQ(spec->secrets, (std::map<std::string, std::string>{{"HF_TOKEN", "hf_x"}}));
  EXPECT_EQ(spec->flavor, "t4-small");
  EXPECT_EQ(spec->timeout_seconds, 90);
  EXPECT_EQ(spec->labels, (std::map<std::string, std::string>{{"team", "a"}}));
}

TEST(JobBodyTest, SnakeCaseToo) {
  json body = {{"space_id", "alice/env"},
               {"command", {"ls"}},
               {"env", {{"A", "1"}}},
               {"timeout_seconds", 30}};
  auto spec = ParseJobSpec(body);
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->space_id, "alice/env");
  EXPECT_EQ(spec->docker_image, std::nullopt);
  EXPECT_EQ(spec->environment, (std::map<std::string, std::string>{{"A", "1"}}));
  EXPECT_EQ(spec->timeout_seconds, 30);
  EXPECT_EQ(spec->flavor, "cpu-basic");  // the default

  // camelCase wins when both come.
  body = Body();
  body["docker_image"] = "other";
  EXPECT_EQ(ParseJobSpec(body)->docker_image, "python:3.12");
}

TEST(JobBodyTest, NoTimeoutIsTheHubsDefault) {
  auto spec = ParseJobSpec(Body());
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(spec->timeout_seconds, std::nullopt);
  json body = Body();
  body["timeoutSeconds"] = nullptr;
  EXPECT_EQ(ParseJobSpec(body)->timeout_seconds, std::nullopt);
}

TEST(JobBodyTest, TimeoutStrings) {
  struct Case {
    json value;
    int64_t seconds;
  };
  for (const Case& c : {Case{"90", 90}, Case{"90s", 90}, Case{"1.5h", 5400}, Case{"30m", 1800},
                        Case{"2d", 172800}, Case{1.9, 1}, Case{3600, 3600}, Case{"1e3", 1000}}) {
    json body = Body();
    body["timeout"] = c.value;  // the key huggingface_hub sends
    auto spec = ParseJobSpec(body);
    ASSERT_TRUE(spec.ok()) << c.value << ": " << spec.status().message();
    EXPECT_EQ(spec->timeout_seconds, c.seconds) << c.value;
    body.erase("timeout");
    body["timeoutSeconds"] = c.value;
    EXPECT_EQ(ParseJobSpec(body)->timeout_seconds, c.seconds) << c.value;
  }
}

TEST(JobBodyTest, BadTimeoutsAreRefused) {
  for (const json& v : {json("abc"),       json(""),
                        json("h"),         json("5x"),
                        json("5 m"),       json("1.5hh"),
                        json("-5"),        json(-5),
                        json(0),           json("0"),
                        json(0.5),         json("nan"),
                        json("NaN"),       json("inf"),
                        json("-inf"),      json("infinity"),
                        json(1e300),       json("1e300"),
                        json("1e10d"),     json(true),
                        json::array({60}), json::object({{"s", 60}})}) {
    json body = Body();
    body["timeoutSeconds"] = v;
    EXPECT_EQ(CodeOf(body), Code::kInvalidArgument) << v;
  }
  // nlohmann keeps NaN and infinities as numbers; they are refused as such.
  json body = Body();
  body["timeoutSeconds"] = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(CodeOf(body), Code::kInvalidArgument);
  body["timeoutSeconds"] = std::numeric_limits<double>::infinity();
  EXPECT_EQ(CodeOf(body), Code::kInvalidArgument);
  body["timeoutSeconds"] = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(CodeOf(body), Code::kInvalidArgument);
}

TEST(JobBodyTest, WrongTypesAreRefused) {
  auto with = [](const char* key, json value) {
    json body = Body();
    body[key] = std::move(value);
    return body;
  };
  EXPECT_EQ(CodeOf(with("command", "python -c 1")), Code::kInvalidArgument);
  EXPECT_EQ(CodeOf(with("command", {"python", 1})), Code::kInvalidArgument);
  EXPECT_EQ(CodeOf(with("arguments", {{"a", "b"}})), Code::kInvalidArgument);
  EXPECT_EQ(CodeOf(with("environment", {{"A", 1}})), Code::kInvalidArgument);
  EXPECT_EQ(CodeOf(with("environment", {"A=1"})), Code::kInvalidArgument);
  EXPECT_EQ(CodeOf(with("secrets", {{"A", true}})), Code::kInvalidArgument);
  EXPECT_EQ(CodeOf(with("labels", {{"A", {{"nested", "x"}}}})), Code::kInvalidArgument);
  EXPECT_EQ(CodeOf(with("dockerImage", 5)), Code::kInvalidArgument);
  EXPECT_EQ(CodeOf(with("spaceId", json::array())), Code::kInvalidArgument);
  EXPECT_EQ(CodeOf(with("flavor", 1)), Code::kInvalidArgument);
  for (const json& body : {json(nullptr), json("x"), json::array(), json(1)}) {
    EXPECT_EQ(CodeOf(body), Code::kInvalidArgument) << body;
  }
  // The message names the field.
  auto st = ParseJobSpec(with("environment", {{"A", 1}})).status();
  EXPECT_NE(st.message().find("environment.A"), std::string::npos) << st.message();
}

TEST(JobBodyTest, UnsupportedFeaturesAreRefusedByName) {
  for (const auto& [key, value] : std::vector<std::pair<std::string, json>>{
           {"volumes", json::array({json::object({{"path", "/data"}})})},
           {"expose", {8080}},
           {"ssh", true},
           {"resourceGroupId", "rg"}}) {
    json body = Body();
    body[key] = value;
    auto st = ParseJobSpec(body).status();
    EXPECT_EQ(st.code(), Code::kInvalidArgument) << key;
    EXPECT_NE(st.message().find(key), std::string::npos) << st.message();
  }
  // Their empty forms, as clients send by default, are fine.
  json body = Body();
  body["volumes"] = json::array();
  body["expose"] = json::array();
  body["ssh"] = false;
  body["resourceGroupId"] = nullptr;
  EXPECT_TRUE(ParseJobSpec(body).ok());
}

TEST(JobBodyTest, AmdOnly) {
  for (const char* arch : {"amd64", "x86_64"}) {
    json body = Body();
    body["arch"] = arch;
    EXPECT_TRUE(ParseJobSpec(body).ok()) << arch;
  }
  for (const json& arch : {json("arm64"), json("AMD64"), json(64), json::array({"amd64"})}) {
    json body = Body();
    body["arch"] = arch;
    EXPECT_EQ(CodeOf(body), Code::kInvalidArgument) << arch;
  }
}

TEST(JobBodyTest, ScheduledJob) {
  json body = {{"jobSpec", Body()}, {"schedule", "@hourly"}, {"concurrency", true}};
  auto in = ParseScheduledJob(body);
  ASSERT_TRUE(in.ok()) << in.status().message();
  EXPECT_EQ(in->schedule, "@hourly");
  EXPECT_FALSE(in->suspend);
  EXPECT_TRUE(in->concurrency);
  EXPECT_EQ(in->spec.docker_image, "python:3.12");

  // snake_case, and labels beside the spec win over labels in it.
  json inner = Body();
  inner["labels"] = {{"in", "spec"}};
  body = {
      {"job_spec", inner}, {"schedule", "0 * * * *"}, {"suspend", true}, {"labels", {{"a", "b"}}}};
  in = ParseScheduledJob(body);
  ASSERT_TRUE(in.ok()) << in.status().message();
  EXPECT_TRUE(in->suspend);
  EXPECT_EQ(in->spec.labels, (std::map<std::string, std::string>{{"a", "b"}}));
  body.erase("labels");
  EXPECT_EQ(ParseScheduledJob(body)->spec.labels,
            (std::map<std::string, std::string>{{"in", "spec"}}));

  for (const json& bad :
       {json({{"schedule", "@hourly"}}), json({{"jobSpec", "x"}, {"schedule", "@hourly"}}),
        json({{"jobSpec", Body()}}), json({{"jobSpec", Body()}, {"schedule", 5}}),
        json({{"jobSpec", Body()}, {"schedule", "@hourly"}, {"suspend", "yes"}}),
        json({{"jobSpec", Body()}, {"schedule", "@hourly"}, {"concurrency", 1}}),
        json({{"jobSpec", Body()}, {"schedule", "@hourly"}, {"labels", {"a"}}}),
        json({{"jobSpec", {{"command", "ls"}}}, {"schedule", "@hourly"}}), json::array(),
        json(nullptr)}) {
    EXPECT_EQ(ParseScheduledJob(bad).status().code(), Code::kInvalidArgument) << bad;
  }
}

TEST(JobBodyTest, Labels) {
  auto labels = ParseLabels({{"labels", {{"a", "1"}, {"gone", nullptr}}}});
  ASSERT_TRUE(labels.ok());
  EXPECT_EQ(*labels, (std::map<std::string, std::string>{{"a", "1"}}));
  EXPECT_TRUE(ParseLabels({{"labels", json::object()}})->empty());
  for (const json& bad :
       {json::object(), json({{"labels", nullptr}}), json({{"labels", {"a"}}}),
        json({{"labels", {{"a", 1}}}}), json({{"labels", "a=b"}}), json::array(), json("labels")}) {
    EXPECT_EQ(ParseLabels(bad).status().code(), Code::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace spacehub::api
