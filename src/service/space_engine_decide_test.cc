// The Space engine's stage machine, step by step, with no process or thread involved.
#include "service/space_engine_decide.h"

#include <gtest/gtest.h>

namespace spacehub::service {
namespace {

using wire::SpaceStage;

EngineDesired Want(std::string sha = "aaa", int64_t gen = 1) {
  EngineDesired w;
  w.head_sha = sha;
  w.generation = gen;
  return w;
}

EngineState Running(std::string sha = "aaa", int64_t gen = 1) {
  EngineState s;
  s.stage = SpaceStage::kRunning;
  s.target_sha = sha;
  s.target_generation = gen;
  s.has_instance = true;
  return s;
}

TEST(EngineDecideTest, FirstSightBuilds) {
  EXPECT_EQ(DecideNext(Want(), EngineState{}, {}, 0), EngineAction::kBuild);
}

TEST(EngineDecideTest, SteadyRunningDoesNothing) {
  EXPECT_EQ(DecideNext(Want(), Running(), {}, 0), EngineAction::kNothing);
}

TEST(EngineDecideTest, NewCommitOrGenerationRebuilds) {
  EXPECT_EQ(DecideNext(Want("bbb"), Running(), {}, 0), EngineAction::kBuild);
  EXPECT_EQ(DecideNext(Want("aaa", 2), Running(), {}, 0), EngineAction::kBuild);
}

TEST(EngineDecideTest, WaitsForTheBuildInFlight) {
  EngineState s = Running();
  s.stage = SpaceStage::kBuilding;
  s.building = true;
  s.has_instance = false;
  EXPECT_EQ(DecideNext(Want("ccc"), s, {}, 0), EngineAction::kNothing);
}

TEST(EngineDecideTest, PauseStopsOnceThenStays) {
  EngineDesired w = Want();
  w.paused = true;
  EXPECT_EQ(DecideNext(w, Running(), {}, 0), EngineAction::kStop);
  EngineState paused;
  paused.stage = SpaceStage::kPaused;
  EXPECT_EQ(DecideNext(w, paused, {}, 0), EngineAction::kNothing);
  // Unpaused (restart): build (or reuse the build) and start again.
  EXPECT_EQ(DecideNext(Want(), paused, {}, 0), EngineAction::kBuild);
}

TEST(EngineDecideTest, SleepStopsOnceThenWakesThroughTheBuildStep) {
  EngineDesired w = Want();
  w.sleeping = true;
  EXPECT_EQ(DecideNext(w, Running(), {}, 0), EngineAction::kSleep);
  EngineState asleep = Running();
  asleep.stage = SpaceStage::kSleeping;
  asleep.has_instance = false;
  EXPECT_EQ(DecideNext(w, asleep, {}, 0), EngineAction::kNothing);
  // After a hub restart the engine knows nothing yet: it stays asleep rather than building.
  EXPECT_EQ(DecideNext(w, EngineState{}, {}, 0), EngineAction::kSleep);
  // Woken after a hub restart: the build step reuses the completed build and starts it.
  EXPECT_EQ(DecideNext(Want(), asleep, {}, 0), EngineAction::kBuild);
  // Woken with its build at hand: straight to the start; a new commit still builds.
  asleep.has_build = true;
  EXPECT_EQ(DecideNext(Want(), asleep, {}, 0), EngineAction::kWake);
  EXPECT_EQ(DecideNext(Want("bbb"), asleep, {}, 0), EngineAction::kBuild);
}

TEST(EngineDecideTest, PauseWinsOverSleep) {
  EngineDesired w = Want();
  w.sleeping = true;
  w.paused = true;
  EngineState asleep = Running();
  asleep.stage = SpaceStage::kSleeping;
  asleep.has_instance = false;
  EXPECT_EQ(DecideNext(w, asleep, {}, 0), EngineAction::kStop);
}

TEST(EngineDecideTest, RolloutsStopTheOldVersionTooWhenPausedOrSleeping) {
  EngineState rolling = Running("aaa");
  rolling.stage = SpaceStage::kBuilding;
  rolling.building = false;
  rolling.has_instance = false;
  rolling.has_old = true;  // v1 serves while v2 builds
  EngineDesired paused = Want();
  paused.paused = true;
  EXPECT_EQ(DecideNext(paused, rolling, {}, 0), EngineAction::kStop);
  EngineDesired asleep = Want();
  asleep.sleeping = true;
  EXPECT_EQ(DecideNext(asleep, rolling, {}, 0), EngineAction::kSleep);
  EXPECT_EQ(DecideNext(EngineDesired{}, rolling, {}, 0), EngineAction::kNoCommit);
}

TEST(EngineDecideTest, NoCommit) {
  EngineDesired w;
  EXPECT_EQ(DecideNext(w, Running(), {}, 0), EngineAction::kNoCommit);
}

TEST(EngineDecideTest, StartingBecomesRunningWhenHealthy) {
  EngineState s = Running();
  s.stage = SpaceStage::kAppStarting;
  s.started_at = 1000;
  EXPECT_EQ(DecideNext(Want(), s, {}, 2000), EngineAction::kNothing);
  EXPECT_EQ(DecideNext(Want(), s, {.exited = false, .healthy = true}, 2000),
            EngineAction::kMarkRunning);
  EXPECT_EQ(DecideNext(Want(), s, {}, 1000 + s.startup_timeout_ms + 1),
            EngineAction::kStartupTimeout);
}

TEST(EngineDecideTest, CrashBacksOffThenLoops) {
  EngineState s = Running();
  EXPECT_EQ(DecideNext(Want(), s, {.exited = true}, 0), EngineAction::kCrashed);
  s.stage = SpaceStage::kAppStarting;
  s.has_instance = false;
  s.crashes = 1;
  s.next_start_at = 5000;
  EXPECT_EQ(DecideNext(Want(), s, {}, 4000), EngineAction::kNothing);
  EXPECT_EQ(DecideNext(Want(), s, {}, 5000), EngineAction::kStart);
  s.has_instance = true;
  s.crashes = kMaxCrashes;
  EXPECT_EQ(DecideNext(Want(), s, {.exited = true}, 6000), EngineAction::kCrashLoop);
}

TEST(EngineDecideTest, ErrorsStayUntilSomethingChanges) {
  for (SpaceStage stage :
       {SpaceStage::kBuildError, SpaceStage::kRuntimeError, SpaceStage::kConfigError}) {
    EngineState s = Running();
    s.stage = stage;
    s.has_instance = false;
    EXPECT_EQ(DecideNext(Want(), s, {}, 0), EngineAction::kNothing) << wire::SpaceStageName(stage);
    EXPECT_EQ(DecideNext(Want("new"), s, {}, 0), EngineAction::kBuild)
        << wire::SpaceStageName(stage);
  }
}

TEST(EngineDecideTest, StaticSpaceHasNoProcessToWatch) {
  EngineState s = Running();
  s.runs_process = false;
  s.has_instance = false;
  EXPECT_EQ(DecideNext(Want(), s, {.exited = true}, 0), EngineAction::kNothing);
}

TEST(EngineDecideTest, BackoffDoubles) {
  EXPECT_EQ(CrashBackoffMs(1), 1000);
  EXPECT_EQ(CrashBackoffMs(2), 2000);
  EXPECT_EQ(CrashBackoffMs(3), 4000);
  EXPECT_EQ(CrashBackoffMs(20), 30000);
}

}  // namespace
}  // namespace spacehub::service
