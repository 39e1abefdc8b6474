// JobService (job_service.h) over a real hub: who sees and runs a namespace's jobs, what a stored
// job holds (secret names in the spec, values only sealed), cancel, labels, duplicate, and the
// scheduled jobs' suspend, resume and trigger. No engine runs: a fake hook counts the nudges.
#include "service/job_service.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "service/test_util.h"

namespace spacehub::service {
namespace {

// Counts nudges; refuses the images the test names. Single-threaded here.
class FakeJobHook final : public JobRuntimeHook {
 public:
  void Notify() override { ++notified; }
  std::filesystem::path LogPath(const std::string& job_id) const override {
    return "/nonexistent/" + job_id;
  }
  runtime::InstanceUsage Usage(const std::string&) override { return {}; }
  Status CheckImage(const std::string& image) override {
    if (image == "missing:latest") return Status::InvalidArgument("no image " + image);
    return Status::Ok();
  }
  int notified = 0;
};

class JobServiceTest : public HubTest {
 protected:
  void SetUp() override {
    OpenHub();
    alice_ = User("alice");
    bob_ = User("bob");
    db::Account org;
    org.name = "acme";
    org.kind = db::AccountKind::kOrg;
    auto acme = hub().db.CreateAccount(org);
    ASSERT_TRUE(acme.ok());
    acme_ = *acme;
    service_ = std::make_unique<JobService>(hub(), &hook_);
  }

  // `who` as a member of acme with `role`.
  Caller Member(Caller who, db::Role role) {
    who->orgs.push_back({acme_.id, "acme", who->user.id, who->user.name, role});
    EXPECT_TRUE(hub().db.SetMembership(acme_.id, who->user.id, role).ok());
    return who;
  }

  static JobSpec Spec() {
    JobSpec spec;
    spec.docker_image = "python:3.12";
    spec.command = {"python", "-c", "print(1)"};
    spec.secrets = {{"HF_TOKEN", "hf_topsecretvalue"}};
    spec.labels = {{"team", "a"}};
    return spec;
  }

  FakeJobHook hook_;
  Caller alice_, bob_;
  db::Account acme_;
  std::unique_ptr<JobService> service_;
};

TEST_F(JobServiceTest, RunStoresSecretNamesAndSealsTheValues) {
  auto row = service_->Run(alice_, "alice", Spec());
  ASSERT_TRUE(row.ok()) << row.status().message();
  EXPECT_EQ(row->id.size(), 24u);
  EXPECT_EQ(row->owner_name, "alice");
  EXPECT_EQ(row->created_by, alice_->user.id);
  EXPECT_EQ(row->stage, db::JobStage::kScheduling);
  EXPECT_EQ(row->created_at, clock_.NowMillis());
  EXPECT_EQ(row->timeout_seconds, kDefaultJobTimeoutSeconds);
  EXPECT_EQ(row->flavor, "cpu-basic");
  EXPECT_EQ(LabelsFromText(row->labels), (std::map<std::string, std::string>{{"team", "a"}}));
  EXPECT_EQ(row->spec.find("hf_topsecretvalue"), std::string::npos) << row->spec;
  EXPECT_NE(row->spec.find("HF_TOKEN"), std::string::npos) << row->spec;
  EXPECT_FALSE(row->sealed_secrets.empty());
  EXPECT_EQ(row->sealed_secrets.find("hf_topsecretvalue"), std::string::npos);
  auto secrets = JobService::OpenSecrets(hub(), *row);
  ASSERT_TRUE(secrets.ok()) << secrets.status().message();
  EXPECT_EQ(*secrets, (std::map<std::string, std::string>{{"HF_TOKEN", "hf_topsecretvalue"}}));
  EXPECT_EQ(hook_.notified, 1);

  // Sealed for this job only: another row cannot open them.
  db::JobRow other = *row;
  other.id = NewJobId();
  EXPECT_FALSE(JobService::OpenSecrets(hub(), other).ok());
}

TEST_F(JobServiceTest, ASpecIsCheckedBeforeAnythingIsStored) {
  JobSpec bad = Spec();
  bad.command.clear();
  EXPECT_EQ(service_->Run(alice_, "alice", bad).status().code(), Code::kInvalidArgument);
  JobSpec image = Spec();
  image.docker_image = "missing:latest";
  EXPECT_EQ(service_->Run(alice_, "alice", image).status().code(), Code::kInvalidArgument);
  JobSpec paid = Spec();
  paid.flavor = "t4-small";  // alice has no grant
  EXPECT_EQ(service_->Run(alice_, "alice", paid).status().code(), Code::kPermissionDenied);
  JobSpec space = Spec();
  space.docker_image.reset();
  space.space_id = "bob/nothing";
  EXPECT_EQ(service_->Run(alice_, "alice", space).status().code(), Code::kInvalidArgument);
  EXPECT_TRUE(hub().db.jobs().ListJobs({})->empty());
  EXPECT_EQ(hook_.notified, 0);
}

TEST_F(JobServiceTest, ANamespacesJobsAreHiddenFromOthers) {
  auto row = service_->Run(alice_, "alice", Spec());
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(service_->List(bob_, "alice", {}).status().code(), Code::kNotFound);
  EXPECT_EQ(service_->Inspect(bob_, "alice", row->id).status().code(), Code::kNotFound);
  EXPECT_EQ(service_->Cancel(bob_, "alice", row->id).status().code(), Code::kNotFound);
  EXPECT_EQ(service_->Run(bob_, "alice", Spec()).status().code(), Code::kNotFound);
  EXPECT_EQ(service_->Duplicate(bob_, "alice", row->id).status().code(), Code::kNotFound);
  EXPECT_EQ(service_->Logs(bob_, "alice", row->id, 10).status().code(), Code::kNotFound);
  // Bob's own namespace does not hold alice's job either.
  EXPECT_EQ(service_->Inspect(bob_, "bob", row->id).status().code(), Code::kNotFound);
  EXPECT_TRUE(service_->List(bob_, "bob", {})->empty());
  // Nor does a namespace that does not exist, or an id that is not one.
  EXPECT_EQ(service_->List(alice_, "nobody", {}).status().code(), Code::kNotFound);
  EXPECT_EQ(service_->Inspect(alice_, "alice", "../../etc").status().code(), Code::kNotFound);
  EXPECT_EQ(service_->Inspect(alice_, "alice", std::string(24, 'f')).status().code(),
            Code::kNotFound);
  EXPECT_EQ(service_->Run(std::nullopt, "alice", Spec()).status().code(), Code::kUnauthenticated);
}

TEST_F(JobServiceTest, OrganizationMembersSeeAndWritersRun) {
  Caller reader = Member(bob_, db::Role::kRead);
  Caller writer = Member(alice_, db::Role::kWrite);
  auto row = service_->Run(writer, "acme", Spec());
  ASSERT_TRUE(row.ok()) << row.status().message();
  EXPECT_EQ(row->owner_name, "acme");
  EXPECT_EQ(row->owner_kind, "org");
  EXPECT_EQ(service_->List(reader, "acme", {})->size(), 1u);
  EXPECT_TRUE(service_->Inspect(reader, "acme", row->id).ok());
  EXPECT_EQ(service_->Run(reader, "acme", Spec()).status().code(), Code::kPermissionDenied);
  EXPECT_EQ(service_->Cancel(reader, "acme", row->id).status().code(), Code::kPermissionDenied);
  EXPECT_FALSE(hub().db.jobs().FindJob(row->id)->cancel_requested);

  // A read token cannot run, even in the user's own namespace.
  Caller read_token = alice_;
  read_token->token.role = db::Role::kRead;
  EXPECT_EQ(service_->Run(read_token, "alice", Spec()).status().code(), Code::kPermissionDenied);
}

TEST_F(JobServiceTest, ListFiltersByStage) {
  auto a = service_->Run(alice_, "alice", Spec());
  clock_.AdvanceMillis(1);
  auto b = service_->Run(alice_, "alice", Spec());
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE(hub()
                  .db.jobs()
                  .UpdateJob(a->id,
                             [](db::JobRow& r, db::SpaceSettingsTxn&) {
                               r.stage = db::JobStage::kCompleted;
                               return Status::Ok();
                             })
                  .ok());
  auto all = service_->List(alice_, "alice", {});
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, b->id);  // newest first
  auto live = service_->List(alice_, "alice", {db::JobStage::kScheduling, db::JobStage::kRunning});
  ASSERT_EQ(live->size(), 1u);
  EXPECT_EQ((*live)[0].id, b->id);
}

TEST_F(JobServiceTest, CancelAsksTheEngineAndLeavesAnEndedJobAlone) {
  auto row = service_->Run(alice_, "alice", Spec());
  ASSERT_TRUE(row.ok());
  auto canceled = service_->Cancel(alice_, "alice", row->id);
  ASSERT_TRUE(canceled.ok());
  EXPECT_TRUE(canceled->cancel_requested);
  EXPECT_EQ(canceled->stage, db::JobStage::kScheduling);  // the engine ends it
  EXPECT_EQ(hook_.notified, 2);

  auto done = service_->Run(alice_, "alice", Spec());
  ASSERT_TRUE(hub()
                  .db.jobs()
                  .UpdateJob(done->id,
                             [](db::JobRow& r, db::SpaceSettingsTxn&) {
                               r.stage = db::JobStage::kCompleted;
                               return Status::Ok();
                             })
                  .ok());
  auto after = service_->Cancel(alice_, "alice", done->id);
  ASSERT_TRUE(after.ok());
  EXPECT_FALSE(after->cancel_requested);
  EXPECT_EQ(after->stage, db::JobStage::kCompleted);
}

TEST_F(JobServiceTest, LabelsAreReplacedAndChecked) {
  auto row = service_->Run(alice_, "alice", Spec());
  ASSERT_TRUE(row.ok());
  auto relabeled = service_->SetLabels(alice_, "alice", row->id, {{"x", "1"}});
  ASSERT_TRUE(relabeled.ok());
  EXPECT_EQ(LabelsFromText(relabeled->labels), (std::map<std::string, std::string>{{"x", "1"}}));
  EXPECT_EQ(service_->SetLabels(alice_, "alice", row->id, {{"bad key", "1"}}).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(service_->SetLabels(bob_, "alice", row->id, {{"x", "2"}}).status().code(),
            Code::kNotFound);
  EXPECT_EQ(LabelsFromText(hub().db.jobs().FindJob(row->id)->labels),
            (std::map<std::string, std::string>{{"x", "1"}}));
}

TEST_F(JobServiceTest, DuplicateRunsTheSameSpecWithItsSecrets) {
  auto row = service_->Run(alice_, "alice", Spec());
  ASSERT_TRUE(row.ok());
  clock_.AdvanceSeconds(1);
  auto copy = service_->Duplicate(alice_, "alice", row->id);
  ASSERT_TRUE(copy.ok()) << copy.status().message();
  EXPECT_NE(copy->id, row->id);
  EXPECT_EQ(copy->spec, row->spec);
  EXPECT_EQ(copy->labels, row->labels);
  EXPECT_EQ(copy->created_at, row->created_at + 1000);
  auto secrets = JobService::OpenSecrets(hub(), *copy);
  ASSERT_TRUE(secrets.ok());
  EXPECT_EQ(secrets->at("HF_TOKEN"), "hf_topsecretvalue");
}

TEST_F(JobServiceTest, ScheduledJobsSuspendResumeAndTrigger) {
  ScheduledJobInput in;
  in.spec = Spec();
  in.schedule = "every minute";
  EXPECT_EQ(service_->CreateScheduled(alice_, "alice", in).status().code(), Code::kInvalidArgument);
  in.schedule = "@hourly";
  auto s = service_->CreateScheduled(alice_, "alice", in);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->next_run_at, clock_.NowMillis() + 3600 * 1000);  // 2026-01-01T01:00Z
  EXPECT_EQ(s->spec.find("hf_topsecretvalue"), std::string::npos);
  EXPECT_EQ(service_->InspectScheduled(bob_, "alice", s->id).status().code(), Code::kNotFound);

  auto suspended = service_->SuspendScheduled(alice_, "alice", s->id, true);
  ASSERT_TRUE(suspended.ok());
  EXPECT_TRUE(suspended->suspend);
  EXPECT_EQ(suspended->next_run_at, 0);
  clock_.AdvanceSeconds(2 * 3600 + 60);  // 02:01
  auto resumed = service_->SuspendScheduled(alice_, "alice", s->id, false);
  ASSERT_TRUE(resumed.ok());
  EXPECT_FALSE(resumed->suspend);
  EXPECT_EQ(resumed->next_run_at, s->created_at + 3 * 3600 * 1000);  // from now, not the past

  // A run now; a second one waits for it unless the schedule allows concurrency.
  auto run = service_->TriggerScheduled(alice_, "alice", s->id);
  ASSERT_TRUE(run.ok()) << run.status().message();
  EXPECT_EQ(run->scheduled_job_id, s->id);
  EXPECT_EQ(run->owner_id, alice_->user.id);
  auto secrets = JobService::OpenSecrets(hub(), *run);
  ASSERT_TRUE(secrets.ok()) << secrets.status().message();
  EXPECT_EQ(secrets->at("HF_TOKEN"), "hf_topsecretvalue");
  EXPECT_EQ(hub().db.jobs().FindScheduledJob(s->id)->last_job_id, run->id);
  EXPECT_EQ(service_->TriggerScheduled(alice_, "alice", s->id).status().code(), Code::kConflict);
  ASSERT_TRUE(hub()
                  .db.jobs()
                  .UpdateJob(run->id,
                             [](db::JobRow& r, db::SpaceSettingsTxn&) {
                               r.stage = db::JobStage::kError;
                               return Status::Ok();
                             })
                  .ok());
  EXPECT_TRUE(service_->TriggerScheduled(alice_, "alice", s->id).ok());

  EXPECT_EQ(service_->DeleteScheduled(bob_, "alice", s->id).code(), Code::kNotFound);
  ASSERT_TRUE(service_->DeleteScheduled(alice_, "alice", s->id).ok());
  EXPECT_EQ(service_->InspectScheduled(alice_, "alice", s->id).status().code(), Code::kNotFound);
  EXPECT_EQ(hub().db.jobs().ListJobs({})->size(), 2u);  // its runs stay
}

}  // namespace
}  // namespace spacehub::service
