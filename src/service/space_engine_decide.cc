#include "service/space_engine_decide.h"

#include <algorithm>

namespace spacehub::service {

using wire::SpaceStage;

EngineAction DecideNext(const EngineDesired& want, const EngineState& s, const EngineObserved& o,
                        int64_t now_ms) {
  if (want.paused) {
    return (s.has_instance || s.has_old || s.stage != SpaceStage::kPaused) ? EngineAction::kStop
                                                                           : EngineAction::kNothing;
  }
  if (!want.head_sha) {
    return (s.has_instance || s.has_old || s.stage != SpaceStage::kNoAppFile)
               ? EngineAction::kNoCommit
               : EngineAction::kNothing;
  }
  if (s.building) return EngineAction::kNothing;  // its outcome is checked against `want` later
  if (want.sleeping) {
    return (s.has_instance || s.has_old || s.stage != SpaceStage::kSleeping)
               ? EngineAction::kSleep
               : EngineAction::kNothing;
  }
  // Waking (SLEEPING, not wanted any more): straight to the start when the build of the same
  // commit and generation is at hand; otherwise (after a hub restart) through the build step,
  // which reuses the completed build.
  if (s.stage == SpaceStage::kSleeping && s.has_build && *want.head_sha == s.target_sha &&
      want.generation == s.target_generation) {
    return EngineAction::kWake;
  }
  if (*want.head_sha != s.target_sha || want.generation != s.target_generation ||
      s.stage == SpaceStage::kPaused || s.stage == SpaceStage::kNoAppFile ||
      s.stage == SpaceStage::kSleeping || !s.stage) {
    return EngineAction::kBuild;
  }
  if (s.stage == SpaceStage::kAppStarting) {
    if (!s.has_instance) {
      return now_ms >= s.next_start_at ? EngineAction::kStart : EngineAction::kNothing;
    }
    if (o.exited) {
      return s.crashes + 1 > kMaxCrashes ? EngineAction::kCrashLoop : EngineAction::kCrashed;
    }
    if (o.healthy) return EngineAction::kMarkRunning;
    if (now_ms - s.started_at > s.startup_timeout_ms) return EngineAction::kStartupTimeout;
    return EngineAction::kNothing;
  }
  if (s.stage == SpaceStage::kRunning && s.runs_process && s.has_instance && o.exited) {
    return s.crashes + 1 > kMaxCrashes ? EngineAction::kCrashLoop : EngineAction::kCrashed;
  }
  // BUILD_ERROR, RUNTIME_ERROR, CONFIG_ERROR stay until a new commit or restart.
  return EngineAction::kNothing;
}

int64_t CrashBackoffMs(int crashes) {
  int64_t ms = 1000;
  for (int i = 1; i < crashes && ms < 30000; ++i) ms *= 2;
  return std::min<int64_t>(ms, 30000);
}

const char* EngineActionName(EngineAction a) {
  switch (a) {
    case EngineAction::kNothing:
      return "nothing";
    case EngineAction::kStop:
      return "stop";
    case EngineAction::kSleep:
      return "sleep";
    case EngineAction::kWake:
      return "wake";
    case EngineAction::kNoCommit:
      return "no-commit";
    case EngineAction::kBuild:
      return "build";
    case EngineAction::kStart:
      return "start";
    case EngineAction::kMarkRunning:
      return "mark-running";
    case EngineAction::kStartupTimeout:
      return "startup-timeout";
    case EngineAction::kCrashed:
      return "crashed";
    case EngineAction::kCrashLoop:
      return "crash-loop";
  }
  return "?";
}

}  // namespace spacehub::service
