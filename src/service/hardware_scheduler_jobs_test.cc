// The hardware scheduler beside jobs (issue #16), through the real store: a Space's request reads
// the hardware jobs hold in the same transaction as the Spaces' rows, so a job holding a flavor's
// last unit makes the Space wait, and the unit is the Space's once the job lets it go.
#include <gtest/gtest.h>

#include <string>

#include "service/hardware_scheduler.h"
#include "service/job_service.h"
#include "service/test_util.h"

namespace spacehub::service {
namespace {

class HardwareSchedulerJobsTest : public HubTest {
 protected:
  void SetUp() override {
    OpenHub();
    alice_ = User("alice", /*all_flavors=*/true);
    db::RepoRow row;
    row.repo = {RepoType::kSpace, "alice", "app"};
    row.sdk = "gradio";
    auto space = hub().db.CreateRepo(row);
    ASSERT_TRUE(space.ok()) << space.status().message();
    space_ = space->id;
  }

  // A job of alice's on `flavor`, holding it or not.
  std::string Job(const std::string& flavor, bool holds) {
    db::JobRow j;
    j.id = NewJobId();
    j.owner_id = alice_->user.id;
    j.created_by = alice_->user.id;
    j.spec = "{}";
    j.flavor = flavor;
    j.stage = holds ? db::JobStage::kRunning : db::JobStage::kScheduling;
    j.holds_hardware = holds;
    j.created_at = clock_.NowMillis();
    EXPECT_TRUE(hub().db.jobs().CreateJob(j).ok());
    return j.id;
  }

  Result<SettingsOutcome> Request(const std::string& flavor) {
    return hub().scheduler.Change(space_, *hub().hardware.Get(), [&](db::SpaceSettingsRow& r) {
      r.hardware_requested = flavor;
      return Result<bool>(false);
    });
  }

  Caller alice_;
  int64_t space_ = 0;
};

TEST_F(HardwareSchedulerJobsTest, ASpaceWaitsForTheUnitAJobHolds) {
  const std::string job = Job("t4-small", /*holds=*/true);  // capacity 1
  Job("t4-small", /*holds=*/false);                         // waiting jobs hold nothing
  auto waiting = Request("t4-small");
  ASSERT_TRUE(waiting.ok()) << waiting.status().message();
  EXPECT_FALSE(waiting->placed);
  ASSERT_TRUE(waiting->waiting);
  EXPECT_NE(waiting->waiting->find("1 of 1 in use"), std::string::npos) << *waiting->waiting;
  EXPECT_EQ(waiting->row.hardware_current, "cpu-basic");  // keeps what it has meanwhile

  // Nothing changes until the job lets the unit go.
  EXPECT_FALSE(hub().scheduler.Place(space_, *hub().hardware.Get())->placed);
  ASSERT_TRUE(hub()
                  .db.jobs()
                  .UpdateJob(job,
                             [](db::JobRow& r, db::SpaceSettingsTxn&) {
                               r.stage = db::JobStage::kCompleted;
                               r.holds_hardware = false;
                               return Status::Ok();
                             })
                  .ok());
  auto placed = hub().scheduler.Place(space_, *hub().hardware.Get());
  ASSERT_TRUE(placed.ok());
  EXPECT_TRUE(placed->placed);
  EXPECT_EQ(placed->row.hardware_current, "t4-small");
}

TEST_F(HardwareSchedulerJobsTest, JobsOnOtherFlavorsOrFreeOnesDoNotBlock) {
  Job("a10g-small", /*holds=*/true);
  for (int i = 0; i < 5; ++i) Job("cpu-basic", /*holds=*/true);
  auto placed = Request("t4-small");
  ASSERT_TRUE(placed.ok()) << placed.status().message();
  EXPECT_TRUE(placed->placed) << placed->waiting.value_or("");
}

TEST_F(HardwareSchedulerJobsTest, BackFromAPauseTheSpaceLosesAUnitAJobTookMeanwhile) {
  ASSERT_TRUE(Request("t4-small")->placed);
  auto pause = [&](bool paused) {
    return hub().scheduler.Change(space_, *hub().hardware.Get(), [&](db::SpaceSettingsRow& r) {
      r.paused = paused;
      return Result<bool>(false);
    });
  };
  ASSERT_TRUE(pause(true).ok());
  Job("t4-small", /*holds=*/true);  // the paused Space held nothing: the job took the unit
  auto back = pause(false);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->row.hardware_current, "");
  ASSERT_TRUE(back->waiting);
  EXPECT_NE(back->waiting->find("t4-small"), std::string::npos) << *back->waiting;
}

}  // namespace
}  // namespace spacehub::service
