#include "web/job_view.h"

#include <gtest/gtest.h>

namespace spacehub::web {
namespace {

db::JobRow Row() {
  db::JobRow r;
  r.id = "0123456789abcdef01234567";
  r.owner_name = "alice";
  r.flavor = "cpu-basic";
  r.stage = db::JobStage::kCompleted;
  r.exit_code = 0;
  r.created_at = 1'000'000;
  r.started_at = 1'004'000;
  r.finished_at = 1'069'000;
  r.timeout_seconds = 1800;
  r.spec = R"J({"spaceId":"alice/env","command":["python","-c","print('hi there')"],)J"
           R"J("arguments":["--n","2"],"environment":{"GREETING":"world"},)J"
           R"J("secrets":["MY_SECRET"],"flavor":"cpu-basic"})J";
  r.labels = R"({"team":"vision"})";
  return r;
}

TEST(DurationText, CountsHoursMinutesSeconds) {
  EXPECT_EQ(DurationText(0), "0s");
  EXPECT_EQ(DurationText(65), "1m 5s");
  EXPECT_EQ(DurationText(3600), "1h 0m 0s");
  EXPECT_EQ(DurationText(3725), "1h 2m 5s");
  EXPECT_EQ(DurationText(-4), "0s");  // clocks that stepped back show nothing negative
}

TEST(JobViewData, ShowsWhatRunsWhereAndHowLong) {
  nlohmann::json d = JobViewData(Row(), 2'000'000);
  EXPECT_EQ(d["path"], "/jobs/alice/0123456789abcdef01234567");
  EXPECT_EQ(d["stage"], "COMPLETED");
  EXPECT_EQ(d["stage_class"], "stage-COMPLETED");
  EXPECT_EQ(d["final"], true);
  EXPECT_EQ(d["exit_code"], "0");  // a string: 0 must still render
  EXPECT_EQ(d["space"], "alice/env");
  EXPECT_FALSE(d.contains("image"));
  EXPECT_EQ(d["command"], "python -c 'print('\\''hi there'\\'')' --n 2");
  EXPECT_EQ(d["waited"], "4s");
  EXPECT_EQ(d["ran"], "1m 5s");
  EXPECT_EQ(d["total"], "1m 9s");
  EXPECT_EQ(d["timeout"], "30m 0s");
  EXPECT_EQ(d["secrets"], nlohmann::json::array({"MY_SECRET"}));
  EXPECT_EQ(d["labels"][0]["key"], "team");
  EXPECT_EQ(d["environment"][0]["value"], "world");
}

TEST(JobViewData, ARunningJobCountsUntilNowAndAWaitingOneHasNoRunTime) {
  db::JobRow r = Row();
  r.stage = db::JobStage::kRunning;
  r.finished_at = 0;
  r.exit_code.reset();
  nlohmann::json d = JobViewData(r, 1'010'000);
  EXPECT_EQ(d["final"], false);
  EXPECT_EQ(d["ran"], "6s");
  EXPECT_FALSE(d.contains("exit_code"));
  r.stage = db::JobStage::kScheduling;
  r.started_at = 0;
  d = JobViewData(r, 1'010'000);
  EXPECT_FALSE(d.contains("ran"));
  EXPECT_EQ(d["waited"], "10s");
}

TEST(JobViewData, ASpecThatIsNotAnObjectShowsNothingRatherThanFailing) {
  db::JobRow r = Row();
  for (const char* bad : {"", "[1,2]", "{not json", R"({"command":"sh","secrets":{"A":"v"}})"}) {
    r.spec = bad;
    nlohmann::json d = JobViewData(r, 2'000'000);
    EXPECT_EQ(d["command"], "") << bad;
    EXPECT_EQ(d["secrets"], nlohmann::json::array()) << bad;
  }
}

}  // namespace
}  // namespace spacehub::web
