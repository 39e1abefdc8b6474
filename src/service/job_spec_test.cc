// JobSpec rules (job_spec.h): what a spec must be before it is stored, hostile input included, and
// the stored form, which never holds a secret's value.
#include "service/job_spec.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <string>

namespace spacehub::service {
namespace {

CatalogData Catalog() {
  CatalogData c;
  c.flavors = {
      {"cpu-basic", "", 2, 16, 0, "", "", 0, 50, std::nullopt, true, std::nullopt, std::nullopt},
      {"t4-small", "", 4, 15, 1, "T4", "Nvidia", 16, 50, 0.4, false, 1, std::nullopt},
  };
  return c;
}

JobSpec Valid() {
  JobSpec s;
  s.docker_image = "python:3.12";
  s.command = {"python", "-c", "print(1)"};
  return s;
}

Code CodeOf(const JobSpec& s) { return ValidateJobSpec(s, Catalog()).code(); }

TEST(JobSpecTest, AValidSpecPasses) {
  EXPECT_TRUE(ValidateJobSpec(Valid(), Catalog()).ok());
  JobSpec s = Valid();
  s.docker_image.reset();
  s.space_id = "alice/env";
  s.environment = {{"A_1", "x"}, {"_B", ""}};
  s.secrets = {{"HF_TOKEN", "hf_x"}};
  s.flavor = "t4-small";
  s.timeout_seconds = kMaxJobTimeoutSeconds;
  s.labels = {{"team.a", "x-1_2"}};
  EXPECT_TRUE(ValidateJobSpec(s, Catalog()).ok()) << ValidateJobSpec(s, Catalog()).message();
}

TEST(JobSpecTest, ExactlyOneOfImageAndSpace) {
  JobSpec both = Valid();
  both.space_id = "alice/env";
  EXPECT_EQ(CodeOf(both), Code::kInvalidArgument);
  JobSpec neither = Valid();
  neither.docker_image.reset();
  EXPECT_EQ(CodeOf(neither), Code::kInvalidArgument);
  for (const char* image : {"", "-v", "python 3", "py\nthon", "a\tb"}) {
    JobSpec s = Valid();
    s.docker_image = image;
    EXPECT_EQ(CodeOf(s), Code::kInvalidArgument) << image;
  }
  JobSpec nul = Valid();
  nul.docker_image = std::string("python\0x", 8);
  EXPECT_EQ(CodeOf(nul), Code::kInvalidArgument);
  JobSpec long_image = Valid();
  long_image.docker_image = std::string(513, 'a');
  EXPECT_EQ(CodeOf(long_image), Code::kInvalidArgument);
  for (const char* space : {"alice", "/env", "alice/", ""}) {
    JobSpec s = Valid();
    s.docker_image.reset();
    s.space_id = space;
    EXPECT_EQ(CodeOf(s), Code::kInvalidArgument) << space;
  }
}

TEST(JobSpecTest, ACommandIsNeededAndHoldsNoNul) {
  JobSpec s = Valid();
  s.command.clear();
  EXPECT_EQ(CodeOf(s), Code::kInvalidArgument);
  s.command = {""};
  EXPECT_EQ(CodeOf(s), Code::kInvalidArgument);
  s = Valid();
  s.command.push_back(std::string("a\0b", 3));
  EXPECT_EQ(CodeOf(s), Code::kInvalidArgument);
  s = Valid();
  s.arguments = {std::string("\0", 1)};
  EXPECT_EQ(CodeOf(s), Code::kInvalidArgument);
  s = Valid();
  s.arguments.assign(4096, "x");
  EXPECT_EQ(CodeOf(s), Code::kInvalidArgument);
}

TEST(JobSpecTest, EnvironmentAndSecretNames) {
  for (const char* name : {"", "1A", "A-B", "A B", "A=B", "$A", "É"}) {
    JobSpec s = Valid();
    s.environment = {{name, "v"}};
    EXPECT_EQ(CodeOf(s), Code::kInvalidArgument) << name;
    s = Valid();
    s.secrets = {{name, "v"}};
    EXPECT_EQ(CodeOf(s), Code::kInvalidArgument) << name;
  }
  JobSpec s = Valid();
  s.environment = {{std::string("A\0B", 3), "v"}};
  EXPECT_EQ(CodeOf(s), Code::kInvalidArgument);
  s = Valid();
  s.environment = {{std::string(257, 'A'), "v"}};
  EXPECT_EQ(CodeOf(s), Code::kInvalidArgument);
  s = Valid();
  s.environment = {{"A", std::string("x\0y", 3)}};
  EXPECT_EQ(CodeOf(s), Code::kInvalidArgument);
  s = Valid();
  s.secrets = {{"A", std::string("x\0y", 3)}};
  EXPECT_EQ(CodeOf(s), Code::kInvalidArgument);
  // One name cannot be both.
  s = Valid();
  s.environment = {{"TOKEN", "a"}};
  s.secrets = {{"TOKEN", "b"}};
  EXPECT_EQ(CodeOf(s), Code::kInvalidArgument);
}

TEST(JobSpecTest, SizesAreBounded) {
  // One environment string ("NAME=value" and its NUL) is what Linux starts a program with: 128 KiB.
  const size_t most = 128 * 1024 - std::string("SCRIPT").size() - 2;
  JobSpec s = Valid();
  s.environment = {{"SCRIPT", std::string(most, 'x')}};
  EXPECT_TRUE(ValidateJobSpec(s, Catalog()).ok()) << ValidateJobSpec(s, Catalog()).message();
  s.environment = {{"SCRIPT", std::string(most + 1, 'x')}};
  Status st = ValidateJobSpec(s, Catalog());
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_NE(st.message().find("SCRIPT"), std::string::npos) << st.message();
  s = Valid();
  s.secrets = {{"KEY", std::string(128 * 1024, 'x')}};
  EXPECT_EQ(CodeOf(s), Code::kInvalidArgument);
  s = Valid();
  for (int i = 0; i < 257; ++i) s.environment["V" + std::to_string(i)] = "x";
  EXPECT_EQ(CodeOf(s), Code::kInvalidArgument);
  // Many values each within bounds, too much together.
  s = Valid();
  for (int i = 0; i < 40; ++i) s.environment["V" + std::to_string(i)] = std::string(120'000, 'x');
  EXPECT_EQ(CodeOf(s), Code::kPayloadTooLarge);
}

TEST(JobSpecTest, TimeoutBounds) {
  for (int64_t t : {int64_t{0}, int64_t{-1}, kMaxJobTimeoutSeconds + 1, INT64_MIN, INT64_MAX}) {
    JobSpec s = Valid();
    s.timeout_seconds = t;
    EXPECT_EQ(CodeOf(s), Code::kInvalidArgument) << t;
  }
  JobSpec s = Valid();
  s.timeout_seconds = 1;
  EXPECT_TRUE(ValidateJobSpec(s, Catalog()).ok());
}

TEST(JobSpecTest, AnUnknownFlavorNamesTheOfferedOnes) {
  JobSpec s = Valid();
  s.flavor = "h100x8";
  Status st = ValidateJobSpec(s, Catalog());
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_NE(st.message().find("h100x8"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("cpu-basic"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("t4-small"), std::string::npos) << st.message();
}

TEST(JobSpecTest, LabelRules) {
  EXPECT_TRUE(ValidateLabels({}).ok());
  EXPECT_TRUE(ValidateLabels({{"a", ""}, {std::string(100, 'k'), std::string(100, 'v')}}).ok());
  for (const auto& [k, v] : std::map<std::string, std::string>{{"", "v"},
                                                               {"a b", "v"},
                                                               {"k", "a/b"},
                                                               {std::string(101, 'k'), "v"},
                                                               {"k", std::string(101, 'v')},
                                                               {std::string("a\0b", 3), "v"}}) {
    EXPECT_EQ(ValidateLabels({{k, v}}).code(), Code::kInvalidArgument) << k << "=" << v;
  }
  std::map<std::string, std::string> many;
  for (int i = 0; i < 65; ++i) many["k" + std::to_string(i)] = "v";
  EXPECT_EQ(ValidateLabels(many).code(), Code::kInvalidArgument);
  JobSpec s = Valid();
  s.labels = {{"bad label", "v"}};
  EXPECT_EQ(CodeOf(s), Code::kInvalidArgument);
}

TEST(JobSpecTest, SpecJsonShowsSecretNamesNeverValues) {
  JobSpec s = Valid();
  s.arguments = {"--x"};
  s.environment = {{"MODE", "fast"}};
  s.secrets = {{"HF_TOKEN", "hf_supersecretvalue"}, {"DB_PASSWORD", "hunter2-secret"}};
  nlohmann::json j = SpecJson(s);
  const std::string text = j.dump();
  EXPECT_EQ(text.find("hf_supersecretvalue"), std::string::npos) << text;
  EXPECT_EQ(text.find("hunter2-secret"), std::string::npos) << text;
  EXPECT_EQ(j["secrets"], nlohmann::json({"DB_PASSWORD", "HF_TOKEN"}));
  EXPECT_EQ(j["dockerImage"], "python:3.12");
  EXPECT_FALSE(j.contains("spaceId"));
  EXPECT_EQ(j["timeoutSeconds"], kDefaultJobTimeoutSeconds);  // the default is shown
  EXPECT_EQ(j["flavor"], "cpu-basic");
}

TEST(JobSpecTest, StoredSpecRoundTrips) {
  JobSpec s;
  s.space_id = "alice/env";
  s.command = {"python", "app.py"};
  s.arguments = {"--n", "3"};
  s.environment = {{"A", "1"}};
  s.secrets = {{"S", "v"}};
  s.flavor = "t4-small";
  s.timeout_seconds = 90;
  JobSpec back = SpecFromStored(SpecJson(s).dump());
  EXPECT_EQ(back.space_id, s.space_id);
  EXPECT_EQ(back.docker_image, std::nullopt);
  EXPECT_EQ(back.command, s.command);
  EXPECT_EQ(back.arguments, s.arguments);
  EXPECT_EQ(back.environment, s.environment);
  EXPECT_TRUE(back.secrets.empty());  // values are never stored in the spec
  EXPECT_EQ(back.flavor, "t4-small");
  EXPECT_EQ(back.timeout_seconds, 90);
}

TEST(JobSpecTest, GarbageStoredSpecGivesAnEmptySpec) {
  for (const char* text :
       {"", "not json", "[1,2]", "null", "42", R"({"command": "ls"})", R"({"dockerImage": 5})",
        R"({"environment": {"A": 1}})", R"({"timeoutSeconds": "soon"})", "{\"command\": [\"a\""}) {
    JobSpec s = SpecFromStored(text);
    EXPECT_TRUE(s.command.empty()) << text;
    EXPECT_EQ(s.docker_image, std::nullopt) << text;
    EXPECT_TRUE(s.environment.empty()) << text;
    EXPECT_EQ(s.flavor, "cpu-basic") << text;
    EXPECT_EQ(s.timeout_seconds, std::nullopt) << text;
  }
}

TEST(JobSpecTest, LabelsTextRoundTripsAndIgnoresGarbage) {
  std::map<std::string, std::string> labels = {{"a", "1"}, {"b.c", ""}};
  EXPECT_EQ(LabelsFromText(LabelsText(labels)), labels);
  EXPECT_EQ(LabelsText({}), "{}");
  EXPECT_TRUE(LabelsFromText("").empty());
  EXPECT_TRUE(LabelsFromText("[\"a\"]").empty());
  EXPECT_EQ(LabelsFromText(R"({"a": 1, "b": "x"})"),
            (std::map<std::string, std::string>{{"b", "x"}}));
}

}  // namespace
}  // namespace spacehub::service
