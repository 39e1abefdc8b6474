// Sleep after inactivity and wake on visit (issue #6), the engine's side: visits are counted by
// Visit() (any thread), and the reconcile loop decides here whether a Space falls asleep or wakes.
// The sleeping flag is persisted so a hub restart leaves sleeping Spaces asleep.
#include <spdlog/spdlog.h>

#include "service/space_engine.h"
#include "service/space_rules.h"

namespace spacehub::service {

SpaceTarget SpaceEngine::Visit(int64_t repo_id) {
  bool wake = false;
  {
    MutexLock lock(mu_);
    last_visit_[repo_id] = clock_.NowMillis();
    auto it = views_.find(repo_id);
    if (it != views_.end() && it->second.status.stage == SpaceStage::kSleeping) {
      wake = wake_.insert(repo_id).second;
      notified_.insert(repo_id);
    }
  }
  if (wake) cv_.NotifyAll();
  SpaceTarget t = Target(repo_id);
  if (wake) t.waking = true;
  return t;
}

void SpaceEngine::SetSleeping(int64_t repo_id, Space& sp, bool sleeping) {
  sp.sleep.sleeping = sleeping;
  auto st = hub_.db.SetSpaceSleeping(repo_id, sleeping, clock_.NowMillis());
  if (!st.ok()) {
    spdlog::error("space runtime: cannot record that {} {}: {}", sp.row.repo.Full(),
                  sleeping ? "sleeps" : "woke", st.message());
  }
}

void SpaceEngine::UpdateSleep(const db::RepoRow& row, const db::SpaceSettingsRow& settings,
                              Space& sp, const EngineDesired& want) {
  if (!sp.sleep.loaded) {
    auto asleep = hub_.db.IsSpaceSleeping(row.id);
    sp.sleep.sleeping = asleep.ok() && *asleep;
    sp.sleep.loaded = true;
  }
  bool wake_requested = false;
  int64_t last_visit = 0;
  {
    MutexLock lock(mu_);
    // Kept until the published stage is no longer SLEEPING (Publish), so visitors polling Target
    // in the meantime see a Space that is waking, not one that sleeps.
    wake_requested = wake_.count(row.id) > 0;
    if (auto it = last_visit_.find(row.id); it != last_visit_.end()) last_visit = it->second;
  }
  const EngineState& s = sp.state;
  if (sp.sleep.sleeping) {
    // A visit, a new commit, a restart or a pause ends the sleep (a paused Space then stays
    // paused: the pause wins in DecideNext).
    bool changed =
        s.stage == SpaceStage::kSleeping &&
        (want.head_sha.value_or("") != s.target_sha || want.generation != s.target_generation);
    if (wake_requested || changed || want.paused) {
      spdlog::info("space runtime: waking {}", row.repo.Full());
      SetSleeping(row.id, sp, false);
    }
    return;
  }
  if (s.stage != SpaceStage::kRunning || !s.runs_process || want.paused) return;
  std::optional<int64_t> sleep_s = SleepSeconds(settings);
  if (!sleep_s || *sleep_s <= 0) return;
  int64_t idle_since = std::max(last_visit, sp.sleep.running_since);
  if (clock_.NowMillis() - idle_since >= *sleep_s * 1000) {
    spdlog::info("space runtime: {} sleeps after {} s without visitors", row.repo.Full(), *sleep_s);
    SetSleeping(row.id, sp, true);
  }
}

std::optional<int64_t> SpaceEngine::SleepSeconds(const db::SpaceSettingsRow& settings) const {
  auto catalog = hub_.hardware.Get();
  const Flavor* flavor = catalog->Find(
      settings.hardware_requested.empty() ? catalog->default_flavor : settings.hardware_requested);
  return flavor ? EffectiveSleepTime(*flavor, settings.sleep_seconds) : settings.sleep_seconds;
}

}  // namespace spacehub::service
