// The job store (db/job_store.h) over a real SQLite database in a temporary directory: jobs and
// scheduled jobs as rows, UpdateJob as one read-modify-write transaction that sees the Spaces'
// settings and every job's hardware (the placement view), and the usage records that count
// flavor-seconds, including the ones a crash leaves open.
#include "db/job_store.h"

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "db/metadata_store.h"
#include "db/sqlite/job_store.h"
#include "testing/fake_clock.h"
#include "testing/temp_dir.h"

namespace spacehub::db {
namespace {

class JobStoreTest : public testing::TempDirTest {
 protected:
  void SetUp() override {
    auto s = OpenSqliteStore(dir_ / "hub.db", clock_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
    auto a = store_->CreateAccount(NewAccount("alice", AccountKind::kUser));
    auto b = store_->CreateAccount(NewAccount("bob", AccountKind::kUser));
    auto o = store_->CreateAccount(NewAccount("acme", AccountKind::kOrg));
    ASSERT_TRUE(a.ok() && b.ok() && o.ok());
    alice_ = a->id;
    bob_ = b->id;
    acme_ = o->id;
  }

  static Account NewAccount(const std::string& name, AccountKind kind) {
    Account a;
    a.name = name;
    a.kind = kind;
    return a;
  }

  JobStore& jobs() { return store_->jobs(); }
  UsageStore& usage() { return store_->usage(); }

  // A job with a 24-hex id made from `n`, created at `n` seconds.
  static JobRow Job(int n, int64_t owner, const std::string& flavor = "cpu-basic") {
    JobRow r;
    std::string hex = std::to_string(n);
    r.id = std::string(24 - hex.size(), '0') + hex;
    r.owner_id = owner;
    r.created_by = owner;
    r.spec = R"({"command":["true"]})";
    r.flavor = flavor;
    r.created_at = int64_t{n} * 1000;
    r.timeout_seconds = 60;
    return r;
  }

  static ScheduledJobRow Schedule(const std::string& id, int64_t owner, int64_t created_at) {
    ScheduledJobRow r;
    r.id = id;
    r.owner_id = owner;
    r.created_by = owner;
    r.spec = R"({"command":["true"]})";
    r.schedule = "@hourly";
    r.created_at = created_at;
    r.next_run_at = created_at + 3600 * 1000;
    return r;
  }

  static std::vector<std::string> Ids(const std::vector<JobRow>& rows) {
    std::vector<std::string> out;
    out.reserve(rows.size());
    for (const auto& r : rows) out.push_back(r.id.substr(20));
    return out;
  }

  testing::FakeClock clock_;
  std::unique_ptr<MetadataStore> store_;
  int64_t alice_ = 0, bob_ = 0, acme_ = 0;
};

TEST(JobStageTest, NamesRoundTripAndUnknownIsRefused) {
  for (JobStage s : {JobStage::kScheduling, JobStage::kRunning, JobStage::kCompleted,
                     JobStage::kError, JobStage::kCanceled, JobStage::kDeleted}) {
    auto back = ParseJobStage(JobStageName(s));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, s);
  }
  EXPECT_EQ(ParseJobStage("running").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseJobStage("").status().code(), Code::kInvalidArgument);
  EXPECT_FALSE(IsFinal(JobStage::kScheduling));
  EXPECT_FALSE(IsFinal(JobStage::kRunning));
  EXPECT_TRUE(IsFinal(JobStage::kCompleted));
  EXPECT_TRUE(IsFinal(JobStage::kCanceled));
}

TEST_F(JobStoreTest, CreateFindKeepsEveryFieldAndFillsTheOwner) {
  JobRow r = Job(1, acme_, "t4-small");
  r.created_by = alice_;
  r.sealed_secrets = "sealed";
  r.stage = JobStage::kRunning;
  r.message = "Running";
  r.exit_code = 3;
  r.started_at = 1500;
  r.finished_at = 2500;
  r.labels = R"({"a":"b"})";
  r.scheduled_job_id = std::string(24, 'a');
  r.backend = "local";
  r.backend_ref = "job-1";
  r.holds_hardware = true;
  r.cancel_requested = true;
  ASSERT_TRUE(jobs().CreateJob(r).ok());
  EXPECT_EQ(jobs().CreateJob(r).code(), Code::kConflict);

  auto found = jobs().FindJob(r.id);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  JobRow want = r;
  want.owner_name = "acme";
  want.owner_kind = "org";
  EXPECT_EQ(*found, want);

  // No exit code stays "none", not 0.
  JobRow plain = Job(2, alice_);
  ASSERT_TRUE(jobs().CreateJob(plain).ok());
  EXPECT_EQ(jobs().FindJob(plain.id)->exit_code, std::nullopt);
  EXPECT_EQ(jobs().FindJob(std::string(24, 'f')).status().code(), Code::kNotFound);
  EXPECT_EQ(jobs().FindJob("' OR 1=1 --").status().code(), Code::kNotFound);
}

TEST_F(JobStoreTest, ListFiltersByOwnerAndStageNewestFirstUpToTheLimit) {
  for (int n = 1; n <= 5; ++n) {
    JobRow r = Job(n, n % 2 ? alice_ : bob_);
    if (n == 3) r.stage = JobStage::kCompleted;
    if (n == 4) r.stage = JobStage::kRunning;
    ASSERT_TRUE(jobs().CreateJob(r).ok());
  }
  auto all = jobs().ListJobs({});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(Ids(*all), (std::vector<std::string>{"0005", "0004", "0003", "0002", "0001"}));

  JobQuery q;
  q.owner_id = alice_;
  EXPECT_EQ(Ids(*jobs().ListJobs(q)), (std::vector<std::string>{"0005", "0003", "0001"}));
  q.stages = {JobStage::kScheduling};
  EXPECT_EQ(Ids(*jobs().ListJobs(q)), (std::vector<std::string>{"0005", "0001"}));
  q.owner_id.reset();
  q.stages = {JobStage::kScheduling, JobStage::kRunning};
  EXPECT_EQ(Ids(*jobs().ListJobs(q)), (std::vector<std::string>{"0005", "0004", "0002", "0001"}));
  q.limit = 2;
  EXPECT_EQ(Ids(*jobs().ListJobs(q)), (std::vector<std::string>{"0005", "0004"}));
  q.stages = {JobStage::kCanceled};
  EXPECT_TRUE(jobs().ListJobs(q)->empty());
}

TEST_F(JobStoreTest, UpdateJobIsOneReadModifyWrite) {
  JobRow r = Job(1, alice_);
  ASSERT_TRUE(jobs().CreateJob(r).ok());
  const JobRow stored = *jobs().FindJob(r.id);

  // A change that changes nothing returns the row as stored.
  int calls = 0;
  auto same = jobs().UpdateJob(r.id, [&](JobRow& row, SpaceSettingsTxn&) {
    ++calls;
    EXPECT_EQ(row, stored);
    return Status::Ok();
  });
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(*same, stored);

  // A change is written, and cannot move the row to another id.
  auto changed = jobs().UpdateJob(r.id, [](JobRow& row, SpaceSettingsTxn&) {
    row.stage = JobStage::kRunning;
    row.message = "Running";
    row.exit_code = 0;
    row.id = std::string(24, 'e');
    return Status::Ok();
  });
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(changed->id, r.id);
  EXPECT_EQ(jobs().FindJob(r.id)->stage, JobStage::kRunning);
  EXPECT_EQ(jobs().FindJob(r.id)->exit_code, 0);
  EXPECT_EQ(jobs().FindJob(std::string(24, 'e')).status().code(), Code::kNotFound);
  EXPECT_EQ(jobs().ListJobs({})->size(), 1u);

  // An error or an exception aborts it: nothing is written, and the store stays usable.
  auto refused = jobs().UpdateJob(r.id, [](JobRow& row, SpaceSettingsTxn&) {
    row.stage = JobStage::kError;
    return Status::Conflict("no");
  });
  EXPECT_EQ(refused.status().code(), Code::kConflict);
  EXPECT_THROW((void)jobs().UpdateJob(r.id,
                                      [](JobRow& row, SpaceSettingsTxn&) -> Status {
                                        row.stage = JobStage::kError;
                                        throw std::runtime_error("boom");
                                      }),
               std::runtime_error);
  EXPECT_EQ(jobs().FindJob(r.id)->stage, JobStage::kRunning);

  bool called = false;
  auto missing = jobs().UpdateJob(std::string(24, 'f'), [&](JobRow&, SpaceSettingsTxn&) {
    called = true;
    return Status::Ok();
  });
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  EXPECT_FALSE(called);
}

TEST_F(JobStoreTest, HoldsAreSeenByJobAndSpaceTransactions) {
  JobRow a = Job(1, alice_, "t4-small");
  JobRow b = Job(2, bob_, "a10g-small");
  JobRow c = Job(3, bob_, "cpu-basic");
  a.holds_hardware = true;
  b.holds_hardware = true;
  for (const auto& r : {a, b, c}) ASSERT_TRUE(jobs().CreateJob(r).ok());
  auto space = store_->CreateRepo({0, "", {RepoType::kSpace, "alice", "s"}, false, 1, 1, "gradio"});
  ASSERT_TRUE(space.ok());
  SpaceSettingsRow defaults;
  defaults.hardware_current = defaults.hardware_requested = "cpu-basic";
  ASSERT_TRUE(store_
                  ->UpdateSpaceSettings(space->id, defaults,
                                        [](SpaceSettingsRow& r, SpaceSettingsTxn&) {
                                          r.hardware_current = "t4-small";
                                          return Status::Ok();
                                        })
                  .ok());

  // Inside a job change: every hold (its own included), oldest first, and every Space's row.
  auto seen = jobs().UpdateJob(c.id, [&](JobRow& row, SpaceSettingsTxn& txn) -> Status {
    SH_ASSIGN_OR_RETURN(auto holds, txn.ListJobHolds());
    EXPECT_EQ(holds.size(), 2u);
    if (holds.size() == 2) {
      EXPECT_EQ(holds[0].job_id, a.id);
      EXPECT_EQ(holds[0].flavor, "t4-small");
      EXPECT_EQ(holds[1].job_id, b.id);
    }
    SH_ASSIGN_OR_RETURN(auto spaces, txn.ListAll());
    EXPECT_EQ(spaces.size(), 1u);
    if (!spaces.empty()) {
      EXPECT_EQ(spaces[0].hardware_current, "t4-small");
    }
    row.holds_hardware = true;
    return Status::Ok();
  });
  ASSERT_TRUE(seen.ok()) << seen.status().ToString();

  // Released in one job, the hold is gone for the Space's transaction too.
  ASSERT_TRUE(jobs()
                  .UpdateJob(a.id,
                             [](JobRow& row, SpaceSettingsTxn&) {
                               row.holds_hardware = false;
                               row.stage = JobStage::kCompleted;
                               return Status::Ok();
                             })
                  .ok());
  std::vector<std::string> from_space;
  ASSERT_TRUE(store_
                  ->UpdateSpaceSettings(space->id, defaults,
                                        [&](SpaceSettingsRow&, SpaceSettingsTxn& txn) -> Status {
                                          SH_ASSIGN_OR_RETURN(auto holds, txn.ListJobHolds());
                                          for (const auto& h : holds) {
                                            from_space.push_back(h.job_id);
                                          }
                                          return Status::Ok();
                                        })
                  .ok());
  EXPECT_EQ(from_space, (std::vector<std::string>{b.id, c.id}));

  // A change refused after it read the holds leaves nothing held.
  JobRow d = Job(4, alice_, "t4-small");
  ASSERT_TRUE(jobs().CreateJob(d).ok());
  auto refused = jobs().UpdateJob(d.id, [](JobRow& row, SpaceSettingsTxn& txn) -> Status {
    SH_ASSIGN_OR_RETURN(auto holds, txn.ListJobHolds());
    row.holds_hardware = true;
    return Status::Unavailable("changed my mind");
  });
  EXPECT_EQ(refused.status().code(), Code::kUnavailable);
  EXPECT_FALSE(jobs().FindJob(d.id)->holds_hardware);
}

TEST_F(JobStoreTest, ScheduledJobsCreateListUpdateDelete) {
  ScheduledJobRow first = Schedule(std::string(24, '1'), alice_, 2000);
  ScheduledJobRow second = Schedule(std::string(24, '2'), bob_, 1000);
  ScheduledJobRow third = Schedule(std::string(24, '3'), alice_, 3000);
  first.sealed_secrets = "sealed";
  first.concurrency = true;
  first.labels = R"({"k":"v"})";
  for (const auto& s : {first, second, third}) ASSERT_TRUE(jobs().CreateScheduledJob(s).ok());
  EXPECT_EQ(jobs().CreateScheduledJob(first).code(), Code::kConflict);

  auto found = jobs().FindScheduledJob(first.id);
  ASSERT_TRUE(found.ok());
  ScheduledJobRow want = first;
  want.owner_name = "alice";
  want.owner_kind = "user";
  EXPECT_EQ(*found, want);
  EXPECT_EQ(jobs().FindScheduledJob(std::string(24, '9')).status().code(), Code::kNotFound);

  // Oldest first; one owner's, or everyone's.
  auto all = jobs().ListScheduledJobs(std::nullopt);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].id, second.id);
  EXPECT_EQ((*all)[2].id, third.id);
  auto mine = jobs().ListScheduledJobs(alice_);
  ASSERT_EQ(mine->size(), 2u);
  EXPECT_EQ((*mine)[0].id, first.id);
  EXPECT_TRUE(jobs().ListScheduledJobs(acme_)->empty());

  auto updated = jobs().UpdateScheduledJob(first.id, [](ScheduledJobRow& r) {
    r.suspend = true;
    r.next_run_at = 0;
    r.last_job_id = std::string(24, 'c');
    r.last_job_at = 5000;
    r.id = std::string(24, '4');  // ignored: a change edits one schedule
    return Status::Ok();
  });
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(updated->id, first.id);
  auto after = jobs().FindScheduledJob(first.id);
  EXPECT_TRUE(after->suspend);
  EXPECT_EQ(after->last_job_id, std::string(24, 'c'));
  EXPECT_EQ(after->last_job_at, 5000);

  auto refused = jobs().UpdateScheduledJob(first.id, [](ScheduledJobRow& r) {
    r.suspend = false;
    return Status::InvalidArgument("no");
  });
  EXPECT_EQ(refused.status().code(), Code::kInvalidArgument);
  EXPECT_TRUE(jobs().FindScheduledJob(first.id)->suspend);
  EXPECT_EQ(
      jobs()
          .UpdateScheduledJob(std::string(24, '9'), [](ScheduledJobRow&) { return Status::Ok(); })
          .status()
          .code(),
      Code::kNotFound);

  ASSERT_TRUE(jobs().DeleteScheduledJob(first.id).ok());
  EXPECT_EQ(jobs().DeleteScheduledJob(first.id).code(), Code::kNotFound);
  EXPECT_EQ(jobs().FindScheduledJob(first.id).status().code(), Code::kNotFound);
  EXPECT_EQ(jobs().ListScheduledJobs(std::nullopt)->size(), 2u);
}

TEST_F(JobStoreTest, UsageOpensClosesAndIsTouched) {
  UsageRecord rec;
  rec.owner_id = alice_;
  rec.kind = "job";
  rec.subject = std::string(24, 'a');
  rec.flavor = "t4-small";
  rec.started_at = 10'000;
  auto id = usage().OpenUsage(rec);
  ASSERT_TRUE(id.ok());

  auto open = usage().ListUsage({});
  ASSERT_TRUE(open.ok());
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ((*open)[0].id, *id);
  EXPECT_EQ((*open)[0].owner_name, "alice");
  EXPECT_EQ((*open)[0].stopped_at, 0);
  EXPECT_EQ((*open)[0].last_seen_at, 10'000);

  // A heartbeat moves last_seen_at forward only.
  ASSERT_TRUE(usage().TouchOpenUsage(20'000).ok());
  ASSERT_TRUE(usage().TouchOpenUsage(15'000).ok());
  EXPECT_EQ((*usage().ListUsage({}))[0].last_seen_at, 20'000);

  ASSERT_TRUE(usage().CloseUsage(*id, 30'000).ok());
  auto closed = (*usage().ListUsage({}))[0];
  EXPECT_EQ(closed.stopped_at, 30'000);
  // Closing again (or touching) changes nothing once it stopped.
  ASSERT_TRUE(usage().CloseUsage(*id, 40'000).ok());
  ASSERT_TRUE(usage().TouchOpenUsage(50'000).ok());
  closed = (*usage().ListUsage({}))[0];
  EXPECT_EQ(closed.stopped_at, 30'000);
  EXPECT_EQ(closed.last_seen_at, 30'000);

  // A clock step backwards never makes negative time.
  rec.started_at = 100'000;
  auto back = usage().OpenUsage(rec);
  ASSERT_TRUE(back.ok());
  ASSERT_TRUE(usage().CloseUsage(*back, 90'000).ok());
  auto list = *usage().ListUsage({});
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[1].stopped_at, 100'000);
}

TEST_F(JobStoreTest, AbandonedUsageClosesAtItsLastHeartbeat) {
  UsageRecord rec;
  rec.owner_id = alice_;
  rec.kind = "space";
  rec.subject = "alice/s";
  rec.flavor = "cpu-upgrade";
  rec.started_at = 10'000;
  auto seen = usage().OpenUsage(rec);
  ASSERT_TRUE(usage().TouchOpenUsage(25'000).ok());
  rec.started_at = 40'000;  // opened after the last heartbeat: closes at its start, not before
  auto late = usage().OpenUsage(rec);
  rec.started_at = 1'000;
  auto done = usage().OpenUsage(rec);
  ASSERT_TRUE(seen.ok() && late.ok() && done.ok());
  ASSERT_TRUE(usage().CloseUsage(*done, 5'000).ok());

  auto n = usage().CloseAbandonedUsage();
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 2);
  auto rows = usage().ListUsage({});
  ASSERT_TRUE(rows.ok());
  for (const auto& r : *rows) {
    int64_t want = r.id == *seen ? 25'000 : r.id == *late ? 40'000 : 5'000;
    EXPECT_EQ(r.stopped_at, want) << r.id;
  }
  EXPECT_EQ(*usage().CloseAbandonedUsage(), 0);
}

TEST_F(JobStoreTest, ListUsageSinceAndOwner) {
  auto open = [&](int64_t owner, int64_t start, int64_t stop) {
    UsageRecord r;
    r.owner_id = owner;
    r.kind = "job";
    r.subject = std::to_string(start);
    r.flavor = "cpu-basic";
    r.started_at = start;
    auto id = usage().OpenUsage(r);
    EXPECT_TRUE(id.ok());
    if (stop > 0) {
      EXPECT_TRUE(usage().CloseUsage(*id, stop).ok());
    }
  };
  open(alice_, 1'000, 2'000);  // ended before `since`
  open(alice_, 3'000, 6'000);  // ended after it
  open(bob_, 4'000, 0);        // still open
  open(alice_, 7'000, 0);      // still open, started after it

  auto subjects = [](const std::vector<UsageRecord>& rows) {
    std::vector<std::string> out;
    out.reserve(rows.size());
    for (const auto& r : rows) out.push_back(r.subject);
    return out;
  };
  UsageQuery q;
  EXPECT_EQ(subjects(*usage().ListUsage(q)),
            (std::vector<std::string>{"1000", "3000", "4000", "7000"}));
  q.since = 5'000;
  EXPECT_EQ(subjects(*usage().ListUsage(q)), (std::vector<std::string>{"3000", "4000", "7000"}));
  q.owner_id = alice_;
  EXPECT_EQ(subjects(*usage().ListUsage(q)), (std::vector<std::string>{"3000", "7000"}));
  q.since = 6'001;
  EXPECT_EQ(subjects(*usage().ListUsage(q)), (std::vector<std::string>{"7000"}));
  q.owner_id = acme_;
  EXPECT_TRUE(usage().ListUsage(q)->empty());
}

}  // namespace
}  // namespace spacehub::db
