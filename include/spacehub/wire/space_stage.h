// SpaceStage: the runtime stage of a Space, one closed set shared by the server (which decides it)
// and the C++ client (which reads it), with the one mapping to and from the Hub's wire names
// ("BUILDING", "RUNNING", ...). Header-only and constexpr so that both the installed client and
// the server link it without another library. Stateless; safe from any thread.
#pragma once

#include <array>
#include <optional>
#include <string_view>
#include <utility>

namespace spacehub::wire {

enum class SpaceStage {
  kNoAppFile,           // the repo has no app file for its SDK
  kConfigError,         // the README front matter is invalid
  kBuilding,            // first build, nothing serves yet
  kBuildError,          // the last build failed
  kAppStarting,         // built, the app has not answered yet
  kRunning,             // serving
  kRunningBuilding,     // serving the old revision while the new one builds
  kRunningAppStarting,  // serving the old revision while the new one starts
  kRuntimeError,        // the app exited or never answered
  kDeleting,            // being removed
  kStopped,             // stopped by the hub (e.g. its hardware went away)
  kPaused,              // paused by its owner; only a restart wakes it
  kSleeping,            // asleep after inactivity; a visit wakes it
};

namespace detail {
inline constexpr std::array<std::pair<SpaceStage, std::string_view>, 13> kSpaceStageNames{{
    {SpaceStage::kNoAppFile, "NO_APP_FILE"},
    {SpaceStage::kConfigError, "CONFIG_ERROR"},
    {SpaceStage::kBuilding, "BUILDING"},
    {SpaceStage::kBuildError, "BUILD_ERROR"},
    {SpaceStage::kAppStarting, "APP_STARTING"},
    {SpaceStage::kRunning, "RUNNING"},
    {SpaceStage::kRunningBuilding, "RUNNING_BUILDING"},
    {SpaceStage::kRunningAppStarting, "RUNNING_APP_STARTING"},
    {SpaceStage::kRuntimeError, "RUNTIME_ERROR"},
    {SpaceStage::kDeleting, "DELETING"},
    {SpaceStage::kStopped, "STOPPED"},
    {SpaceStage::kPaused, "PAUSED"},
    {SpaceStage::kSleeping, "SLEEPING"},
}};
}  // namespace detail

// The wire name, e.g. "RUNNING_BUILDING".
constexpr std::string_view SpaceStageName(SpaceStage stage) {
  for (const auto& [s, name] : detail::kSpaceStageNames) {
    if (s == stage) return name;
  }
  return "RUNTIME_ERROR";  // unreachable for a valid enumerator
}

// The stage a wire name stands for; nullopt for a name this build does not know (a newer server).
constexpr std::optional<SpaceStage> ParseSpaceStage(std::string_view name) {
  for (const auto& [s, n] : detail::kSpaceStageNames) {
    if (n == name) return s;
  }
  return std::nullopt;
}

// Stages a Space leaves on its own, without anyone acting (what a waiting client polls through).
constexpr bool IsTransitional(SpaceStage stage) {
  return stage == SpaceStage::kBuilding || stage == SpaceStage::kRunningBuilding ||
         stage == SpaceStage::kAppStarting || stage == SpaceStage::kRunningAppStarting;
}

// Stages in which the app answers requests.
constexpr bool IsServing(SpaceStage stage) {
  return stage == SpaceStage::kRunning || stage == SpaceStage::kRunningBuilding ||
         stage == SpaceStage::kRunningAppStarting;
}

// Stages that report a failure the owner must act on.
constexpr bool IsError(SpaceStage stage) {
  return stage == SpaceStage::kNoAppFile || stage == SpaceStage::kConfigError ||
         stage == SpaceStage::kBuildError || stage == SpaceStage::kRuntimeError;
}

}  // namespace spacehub::wire
