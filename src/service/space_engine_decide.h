// The Space engine's stage machine as a pure function: given what the owner wants (desired) and
// what the engine knows (state, observed instance), which one step to take next. Kept apart from
// the engine's threads and I/O so every transition is unit-tested (space_engine_decide_test.cc).
// Stages follow spec/spaces.md. Thread-safe (pure).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "spacehub/wire/space_stage.h"

namespace spacehub::service {

struct EngineDesired {
  bool paused = false;
  std::optional<std::string> head_sha;  // nullopt: no commit on main
  int64_t generation = 0;               // space_settings.restart_generation
  bool sleeping = false;  // the engine put it to sleep for inactivity (kept across restarts)
};

struct EngineState {
  std::optional<wire::SpaceStage> stage;  // none before the first step
  std::string target_sha;                 // the commit the current build/instance is for
  int64_t target_generation = -1;         // the generation it is for
  bool building = false;                  // a build is in flight
  bool has_instance = false;              // the backend runs (or ran) an instance for it
  bool has_old = false;      // a rollout: the previous version keeps serving until this one answers
  bool runs_process = true;  // false for static Spaces: nothing to start
  bool has_build = false;    // the build of target_sha is done and known (dir, config)
  int crashes = 0;           // consecutive crashes since the last healthy run
  int64_t next_start_at = 0;  // backoff: (re)start no earlier than this (epoch millis)
  int64_t started_at = 0;     // when the current instance started
  int64_t startup_timeout_ms = 30 * 60 * 1000;
};

struct EngineObserved {
  bool exited = false;   // the instance has exited
  bool healthy = false;  // it accepted a connection on its port (probed only in APP_STARTING)
};

enum class EngineAction {
  kNothing,
  kStop,            // paused: stop the instance, stage PAUSED
  kSleep,           // idle past its sleep time: stop the instance, stage SLEEPING
  kNoCommit,        // no commit: stop, stage NO_APP_FILE
  kBuild,           // new commit or generation: (re)build — or reuse the build — then start
  kWake,            // woken with its build at hand: straight to starting it
  kStart,           // start the built app (first start, or after the backoff)
  kMarkRunning,     // it answers: RUNNING, crash count cleared
  kStartupTimeout,  // it never answered in time: stop, RUNTIME_ERROR
  kCrashed,         // it exited: back off, then kStart
  kCrashLoop,       // it exited too often: RUNTIME_ERROR with its last output
};

inline constexpr int kMaxCrashes = 3;  // the 4th consecutive crash is a crash loop

EngineAction DecideNext(const EngineDesired& want, const EngineState& s, const EngineObserved& o,
                        int64_t now_ms);

// Backoff before restart number `crashes` (1-based): 1 s, 2 s, 4 s…, capped at 30 s.
int64_t CrashBackoffMs(int crashes);

const char* EngineActionName(EngineAction a);

}  // namespace spacehub::service
