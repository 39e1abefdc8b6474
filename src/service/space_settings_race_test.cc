// Issue 13 item 8, as an attacker (or just a busy team) would hit it: many threads change
// different settings of one Space at once, and many Spaces race for the last unit of a
// capacity-limited flavor, through two SpaceService instances (the API's and the engine's, as in
// `serve`) over the real SQLite store in a temporary directory. Threads start together at a
// barrier; only the final state (and snapshots that can only under-report) is asserted, never a
// timing.
#include <gtest/gtest.h>

#include <atomic>
#include <barrier>
#include <filesystem>
#include <functional>
#include <thread>

#include "service/hub_instance.h"
#include "service/repo_service.h"
#include "service/space_service.h"
#include "service/test_util.h"

namespace spacehub::service {
namespace {
namespace fs = std::filesystem;

class SpaceSettingsRaceTest : public HubTest {
 protected:
  void SetUp() override {
    OpenHub();
    Hub& hub = instance_->hub();
    // The legitimate way to upgraded hardware: an administrator's grant to the owner.
    alice_ = User("alice", /*all_flavors=*/true);
    repos_ = std::make_unique<RepoService>(hub);
    // Two instances, as `serve` has (the API's and the engine's): they must not race each other.
    api_ = std::make_unique<SpaceService>(hub, *repos_);
    engine_ = std::make_unique<SpaceService>(hub, *repos_);
  }

  void TearDown() override {
    api_.reset();
    engine_.reset();
    repos_.reset();
    instance_.reset();
  }

  SpaceService& service(int i) { return i % 2 ? *engine_ : *api_; }

  db::RepoRow CreateSpace(const std::string& name) {
    CreateRepoInput in;
    in.type = RepoType::kSpace;
    in.ns = "alice";
    in.name = name;
    in.sdk = "static";
    auto row = api_->Create(alice_, in, SpaceParams{}, "http://127.0.0.1");
    EXPECT_TRUE(row.ok()) << row.status().message();
    return row.ok() ? *row : db::RepoRow{};
  }

  db::SpaceSettingsRow Settings(int64_t repo_id) {
    auto s = hub().db.FindSpaceSettings(repo_id);
    EXPECT_TRUE(s.ok() && s->has_value());
    return s.ok() && s->has_value() ? **s : db::SpaceSettingsRow{};
  }

  // Spaces that hold `flavor` now (a paused Space holds nothing).
  int64_t Holding(const std::string& flavor) {
    auto rows = hub().db.ListSpaceSettings();
    EXPECT_TRUE(rows.ok());
    int64_t n = 0;
    for (const auto& r : rows.ok() ? *rows : std::vector<db::SpaceSettingsRow>{}) {
      n += !r.paused && r.hardware_current == flavor ? 1 : 0;
    }
    return n;
  }

  // Runs `threads` workers that start together; each gets its index.
  static void RunTogether(int threads, const std::function<void(int)>& work) {
    std::barrier start(threads);
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] {
        start.arrive_and_wait();
        work(t);
      });
    }
    for (auto& th : pool) th.join();
  }

  Caller alice_;
  std::unique_ptr<RepoService> repos_;
  std::unique_ptr<SpaceService> api_;
  std::unique_ptr<SpaceService> engine_;
};

TEST_F(SpaceSettingsRaceTest, ConcurrentChangesOfDifferentSettingsAreAllKept) {
  db::RepoRow row = CreateSpace("busy");
  ASSERT_GT(row.id, 0);
  // Upgraded hardware first, so a custom sleep time is valid whatever the hardware thread does.
  ASSERT_TRUE(api_->RequestHardware(alice_, row.repo, "cpu-upgrade", std::nullopt).ok());
  const int64_t gen0 = Settings(row.id).restart_generation;

  constexpr int kRounds = 12;
  constexpr int kVariableThreads = 3;
  constexpr int kSecretThreads = 2;
  enum Role { kHardware, kSleep, kStorage, kPauseRestart, kFirstEntry };
  const int threads = kFirstEntry + kVariableThreads + kSecretThreads;
  std::atomic<int> failures{0};
  std::atomic<int64_t> bumps{0};  // calls that must each bump restart_generation once
  auto ok = [&](bool good) {
    if (!good) ++failures;
    return good;
  };
  const char* tiers[] = {"small", "medium", "large"};

  RunTogether(threads, [&](int t) {
    SpaceService& s = service(t);
    for (int i = 0; i < kRounds; ++i) {
      if (t == kHardware) {
        if (ok(s.RequestHardware(alice_, row.repo, "a10g-small", std::nullopt).ok())) ++bumps;
      } else if (t == kSleep) {
        if (ok(s.SetSleepTime(alice_, row.repo, 3600 + i).ok())) ++bumps;
      } else if (t == kStorage) {
        if (i < 3 && ok(s.RequestStorage(alice_, row.repo, tiers[i]).ok())) ++bumps;
      } else if (t == kPauseRestart) {
        ok(s.Pause(alice_, row.repo).ok());
        if (ok(s.Restart(alice_, row.repo, /*factory=*/i == 0).ok())) ++bumps;
      } else if (t < kFirstEntry + kVariableThreads) {
        SpaceEntryInput in{"VAR_" + std::to_string(t) + "_" + std::to_string(i), "v", "d"};
        if (ok(s.AddVariable(alice_, row.repo, in).ok())) ++bumps;
      } else {
        SpaceEntryInput in{"SECRET_" + std::to_string(t) + "_" + std::to_string(i), "s", {}};
        if (ok(s.AddSecret(alice_, row.repo, in).ok())) ++bumps;
      }
    }
  });
  ASSERT_EQ(failures.load(), 0);

  db::SpaceSettingsRow s = Settings(row.id);
  EXPECT_EQ(s.hardware_requested, "a10g-small");
  EXPECT_EQ(s.hardware_current, "a10g-small");  // the only Space asking: placed
  ASSERT_TRUE(s.sleep_seconds.has_value());
  EXPECT_EQ(*s.sleep_seconds, 3600 + kRounds - 1);
  EXPECT_EQ(s.storage, "large");
  EXPECT_FALSE(s.paused);  // the pause/restart thread ended with a restart
  EXPECT_TRUE(s.factory_rebuild);
  // Every change that needs a restart counted once: none was overwritten by another.
  EXPECT_EQ(s.restart_generation - gen0, bumps.load());

  auto vars = hub().db.ListSpaceEntries(row.id, db::SpaceEntryKind::kVariable);
  ASSERT_TRUE(vars.ok());
  EXPECT_EQ(vars->size(), size_t{kVariableThreads * kRounds});
  auto secrets = hub().db.ListSpaceEntries(row.id, db::SpaceEntryKind::kSecret);
  ASSERT_TRUE(secrets.ok());
  EXPECT_EQ(secrets->size(), size_t{kSecretThreads * kRounds});
  auto env = api_->SecretEnvironment(row);
  ASSERT_TRUE(env.ok()) << env.status().message();
  EXPECT_EQ(env->size(), size_t{kSecretThreads * kRounds});
}

TEST_F(SpaceSettingsRaceTest, UpdatesOfOneEntryKeepTheDescriptionNoOneChanged) {
  db::RepoRow row = CreateSpace("entries");
  ASSERT_TRUE(api_->AddVariable(alice_, row.repo, {"MODEL", "a", "the model"}).ok());
  constexpr int kThreads = 8;
  std::atomic<int> failures{0};
  // Value-only updates race a description change: the new description must survive them all.
  RunTogether(kThreads, [&](int t) {
    for (int i = 0; i < 10; ++i) {
      SpaceEntryInput in{"MODEL", "v" + std::to_string(t), {}};
      if (t == 0 && i == 0) in.description = "changed";
      if (!service(t).AddVariable(alice_, row.repo, in).ok()) ++failures;
    }
  });
  EXPECT_EQ(failures.load(), 0);
  auto vars = hub().db.ListSpaceEntries(row.id, db::SpaceEntryKind::kVariable);
  ASSERT_TRUE(vars.ok());
  ASSERT_EQ(vars->size(), 1u);
  EXPECT_EQ((*vars)[0].description, "changed");
}

TEST_F(SpaceSettingsRaceTest, ManySpacesRaceForTheLastUnitAndOnlyOneGetsIt) {
  constexpr int kSpaces = 12;
  std::vector<db::RepoRow> spaces;
  for (int i = 0; i < kSpaces; ++i) spaces.push_back(CreateSpace("gpu" + std::to_string(i)));
  for (const auto& r : spaces) ASSERT_GT(r.id, 0);

  // Each Space's owner asks for the one t4-small while the engine's scheduler passes and runtime
  // reads place waiting requests, and a watcher checks every snapshot it can take.
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  std::atomic<int64_t> most_seen{0};
  const int threads = kSpaces + 3;
  std::atomic<int> requesters_left{kSpaces};
  RunTogether(threads, [&](int t) {
    if (t < kSpaces) {
      for (int i = 0; i < 3; ++i) {
        // Back and forth, so units free and are taken again while the others race.
        const char* flavor = i == 1 ? "cpu-basic" : "t4-small";
        if (!service(t).RequestHardware(alice_, spaces[t].repo, flavor, std::nullopt).ok()) {
          ++failures;
        }
      }
      --requesters_left;
    } else if (t == kSpaces) {
      for (int i = 0; i < 200 && requesters_left.load() > 0; ++i) engine_->PlaceWaiting(spaces);
    } else if (t == kSpaces + 1) {
      for (int i = 0; i < 200 && requesters_left.load() > 0; ++i) {
        (void)api_->RuntimeOf(spaces[i % kSpaces]);
      }
    } else {
      for (int i = 0; i < 100000 && !done.load(); ++i) {
        int64_t n = Holding("t4-small");
        int64_t prev = most_seen.load();
        while (n > prev && !most_seen.compare_exchange_weak(prev, n)) {
        }
        if (requesters_left.load() == 0) done = true;
      }
    }
  });
  EXPECT_EQ(failures.load(), 0);
  EXPECT_LE(most_seen.load(), 1);
  EXPECT_LE(Holding("t4-small"), 1);
  // Once the race is over, a scheduler pass settles what is left: still exactly one.
  engine_->PlaceWaiting(spaces);
  EXPECT_EQ(Holding("t4-small"), 1);
  int waiting = 0;
  for (const auto& r : spaces) {
    db::SpaceSettingsRow s = Settings(r.id);
    EXPECT_EQ(s.hardware_requested, "t4-small");
    if (s.hardware_current != "t4-small") {
      ++waiting;
      auto v = api_->RuntimeOf(r);
      ASSERT_TRUE(v.ok());
      ASSERT_TRUE(v->message.has_value());
      EXPECT_NE(v->message->find("Waiting for hardware"), std::string::npos) << *v->message;
    }
  }
  EXPECT_EQ(waiting, kSpaces - 1);
}

TEST_F(SpaceSettingsRaceTest, CapacityOfSeveralUnitsIsNeverExceeded) {
  constexpr int kSpaces = 10;
  std::vector<db::RepoRow> spaces;
  for (int i = 0; i < kSpaces; ++i) spaces.push_back(CreateSpace("a10g" + std::to_string(i)));
  std::atomic<int> failures{0};
  RunTogether(kSpaces + 1, [&](int t) {
    if (t == kSpaces) {
      for (int i = 0; i < 50; ++i) engine_->PlaceWaiting(spaces);
      return;
    }
    if (!service(t).RequestHardware(alice_, spaces[t].repo, "a10g-small", std::nullopt).ok()) {
      ++failures;
    }
    // Pausing frees the unit for others; the restart must not bring it back over capacity.
    if (t % 3 == 0) {
      if (!service(t).Pause(alice_, spaces[t].repo).ok()) ++failures;
      if (!service(t).Restart(alice_, spaces[t].repo, false).ok()) ++failures;
    }
  });
  EXPECT_EQ(failures.load(), 0);
  EXPECT_LE(Holding("a10g-small"), 3);
  engine_->PlaceWaiting(spaces);
  EXPECT_EQ(Holding("a10g-small"), 3);
}

TEST_F(SpaceSettingsRaceTest, ARestartedSpaceDoesNotReclaimHardwareTakenWhilePaused) {
  db::RepoRow a = CreateSpace("first");
  db::RepoRow b = CreateSpace("second");
  auto ra = api_->RequestHardware(alice_, a.repo, "t4-small", std::nullopt);
  ASSERT_TRUE(ra.ok());
  EXPECT_EQ(ra->hardware_current, "t4-small");
  ASSERT_TRUE(api_->Pause(alice_, a.repo).ok());
  // The paused Space holds nothing: the unit goes to b.
  auto rb = engine_->RequestHardware(alice_, b.repo, "t4-small", std::nullopt);
  ASSERT_TRUE(rb.ok());
  EXPECT_EQ(rb->hardware_current, "t4-small");
  // a comes back: it waits for a unit instead of running beside b on the same one.
  auto back = api_->Restart(alice_, a.repo, false);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->hardware_current, std::nullopt);
  EXPECT_EQ(back->hardware_requested, "t4-small");
  ASSERT_TRUE(back->message.has_value());
  EXPECT_NE(back->message->find("Waiting for hardware"), std::string::npos) << *back->message;
  EXPECT_EQ(Holding("t4-small"), 1);
  // b lets go: a gets it on the scheduler's next pass.
  ASSERT_TRUE(engine_->RequestHardware(alice_, b.repo, "cpu-basic", std::nullopt).ok());
  engine_->PlaceWaiting({a, b});
  EXPECT_EQ(Settings(a.id).hardware_current, "t4-small");
  EXPECT_EQ(Holding("t4-small"), 1);
}

}  // namespace
}  // namespace spacehub::service
