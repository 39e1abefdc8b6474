#include "runtime/slurm/slurm_job_backend.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <deque>
#include <functional>
#include <thread>

#include "runtime/slurm/launch_file.h"
#include "runtime/slurm/slurm_batch.h"
#include "testing/temp_dir.h"

namespace spacehub::runtime {
namespace {

// The Slurm commands, faked: each call is recorded and answered from a queue.
struct FakeSlurm {
  std::vector<std::vector<std::string>> calls;
  std::deque<Result<CommandOutput>> answers;
  SlurmCommandRunner Runner() {
    return [this](const std::vector<std::string>& argv) -> Result<CommandOutput> {
      calls.push_back(argv);
      if (answers.empty()) return CommandOutput{0, ""};
      auto a = answers.front();
      answers.pop_front();
      return a;
    };
  }
};

class SlurmJobBackendTest : public testing::TempDirTest {
 protected:
  SlurmJobBackendTest() {
    options_.data_dir = dir_;
    options_.spacehub_binary = "/opt/spacehub/bin/spacehub";
    options_.partition = "batch";
    backend_ = std::make_unique<SlurmJobBackend>(options_, fake_.Runner());
  }
  JobLaunch Launch(const std::string& id) {
    JobLaunch l;
    l.job_id = id;
    l.instance.key = "job-" + id;
    l.instance.env = {{"HF_TOKEN", "hf_x"}};
    l.resources.cpus = 2;
    return l;
  }
  std::string Running(const std::string& job_id) {
    return "JobId=41 JobName=spacehub-" + job_id +
           " JobState=RUNNING Reason=None ExitCode=0:0 StartTime=1700000000 Power= \n";
  }

  SlurmOptions options_;
  FakeSlurm fake_;
  std::unique_ptr<SlurmJobBackend> backend_;
};

TEST_F(SlurmJobBackendTest, SubmitWritesPrivateFilesAndRunsSbatch) {
  fake_.answers.push_back(CommandOutput{0, "sbatch: warning: something\n41\n"});
  auto ref = backend_->Submit(Launch("j1"));
  ASSERT_TRUE(ref.ok()) << ref.status().ToString();
  EXPECT_EQ(*ref, "41:j1");
  ASSERT_EQ(fake_.calls.size(), 1u);
  EXPECT_EQ(fake_.calls[0].front(), "/usr/bin/sbatch");
  SlurmJobFiles f = JobFilesFor(dir_, "j1");
  EXPECT_EQ(fake_.calls[0].back(), f.script().string());
  struct stat st {};
  ASSERT_EQ(::stat(f.dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat(f.launch().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_NE(testing::ReadFile(f.script()).find("exec '/opt/spacehub/bin/spacehub' job-exec"),
            std::string::npos);
  auto launch = TakeLaunchFile(f.launch());
  ASSERT_TRUE(launch.ok());
  EXPECT_EQ(launch->instance.env, Launch("j1").instance.env);
}

TEST_F(SlurmJobBackendTest, RefusedSubmitLeavesNothing) {
  fake_.answers.push_back(CommandOutput{
      1, "sbatch: error: Batch job submission failed: Invalid partition name specified\n"});
  auto ref = backend_->Submit(Launch("j1"));
  ASSERT_FALSE(ref.ok());
  EXPECT_NE(ref.status().message().find("Invalid partition name"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(JobFilesFor(dir_, "j1").dir));
  fake_.answers.push_back(Status::Unavailable("cannot run sbatch"));
  EXPECT_FALSE(backend_->Submit(Launch("j2")).ok());
  EXPECT_FALSE(std::filesystem::exists(JobFilesFor(dir_, "j2").dir));
  EXPECT_FALSE(backend_->Submit(Launch("../etc")).ok());
  EXPECT_EQ(fake_.calls.size(), 2u);
}

TEST_F(SlurmJobBackendTest, PollFollowsSlurm) {
  fake_.answers.push_back(CommandOutput{0, "41\n"});
  auto ref = backend_->Submit(Launch("j1"));
  ASSERT_TRUE(ref.ok());
  fake_.answers.push_back(CommandOutput{0, Running("j1")});
  JobRunStatus st = backend_->Poll(*ref);
  EXPECT_EQ(st.state, JobRunState::kRunning);
  EXPECT_EQ(st.started_at, 1700000000000);
  const auto& poll = fake_.calls.back();
  EXPECT_EQ(poll, (std::vector<std::string>{"/usr/bin/scontrol", "show", "job", "-o", "41"}));

  // The controller does not answer: the last answer stands.
  fake_.answers.push_back(CommandOutput{
      1, "slurm_load_jobs error: Unable to contact slurm controller (connect failure)\n"});
  EXPECT_EQ(backend_->Poll(*ref).state, JobRunState::kRunning);

  fake_.answers.push_back(CommandOutput{
      0, "JobId=41 JobName=spacehub-j1 JobState=FAILED Reason=NonZeroExitCode ExitCode=2:0\n"});
  st = backend_->Poll(*ref);
  EXPECT_EQ(st.state, JobRunState::kExited);
  EXPECT_EQ(st.exit_code, 2);

  // job-exec could not start the sandbox: its reason.
  testing::WriteFile(JobFilesFor(dir_, "j1").exec_error(), "podman is not installed\n");
  fake_.answers.push_back(CommandOutput{
      0, "JobId=41 JobName=spacehub-j1 JobState=FAILED Reason=NonZeroExitCode ExitCode=1:0\n"});
  st = backend_->Poll(*ref);
  EXPECT_EQ(st.state, JobRunState::kStopped);
  EXPECT_EQ(st.reason, "podman is not installed");

  // Purged from the controller (MinJobAge) or never known.
  fake_.answers.push_back(CommandOutput{1, "slurm_load_jobs error: Invalid job id specified\n"});
  EXPECT_EQ(backend_->Poll(*ref).state, JobRunState::kLost);
}

TEST_F(SlurmJobBackendTest, PollWithoutAnAnswerYet) {
  fake_.answers.push_back(CommandOutput{0, "41\n"});
  auto ref = backend_->Submit(Launch("j1"));
  ASSERT_TRUE(ref.ok());
  fake_.answers.push_back(Status::Unavailable("scontrol timed out"));
  JobRunStatus st = backend_->Poll(*ref);
  EXPECT_EQ(st.state, JobRunState::kPending);
  EXPECT_NE(st.reason.find("does not answer"), std::string::npos);
}

TEST_F(SlurmJobBackendTest, AnotherJobUnderTheSameIdIsNotOurs) {
  fake_.answers.push_back(CommandOutput{0, "41\n"});
  auto ref = backend_->Submit(Launch("j1"));
  ASSERT_TRUE(ref.ok());
  fake_.answers.push_back(CommandOutput{0, Running("someone-else")});
  EXPECT_EQ(backend_->Poll(*ref).state, JobRunState::kLost);
}

TEST_F(SlurmJobBackendTest, HostileRefs) {
  for (const char* ref : {"", "41", ":j1", "4x:j1", "41:../x", "41:", "-1:j1",
                          "1234567890123456789:j1", "41:j1 j2"}) {
    EXPECT_EQ(backend_->Poll(ref).state, JobRunState::kLost) << ref;
    backend_->Cancel(ref);
    backend_->Forget(ref);
  }
  EXPECT_TRUE(fake_.calls.empty());
}

TEST_F(SlurmJobBackendTest, CancelAndForget) {
  fake_.answers.push_back(CommandOutput{0, "41\n"});
  auto ref = backend_->Submit(Launch("j1"));
  ASSERT_TRUE(ref.ok());
  backend_->Cancel(*ref);
  EXPECT_EQ(fake_.calls.back(), (std::vector<std::string>{"/usr/bin/scancel", "41"}));
  // Forget cancels a job that still runs, then drops its files: Poll no longer knows it.
  fake_.answers.push_back(CommandOutput{0, Running("j1")});
  backend_->Forget(*ref);
  EXPECT_EQ(fake_.calls.back(), (std::vector<std::string>{"/usr/bin/scancel", "41"}));
  EXPECT_FALSE(std::filesystem::exists(JobFilesFor(dir_, "j1").dir));
  size_t calls = fake_.calls.size();
  EXPECT_EQ(backend_->Poll(*ref).state, JobRunState::kLost);
  EXPECT_EQ(fake_.calls.size(), calls);
}

TEST(SlurmCommandEnvTest, PlainEnvironment) {
  SlurmOptions o;
  EnvList env = SlurmCommandEnv(o);
  EXPECT_EQ(env.size(), 2u);
  o.slurm_conf = "/tmp/c/etc/slurm.conf";
  env = SlurmCommandEnv(o);
  EXPECT_EQ(env.back(), (std::pair<std::string, std::string>{"SLURM_CONF", o.slurm_conf}));
}

TEST(MakeSlurmJobBackendTest, ChecksItsInputs) {
  SlurmOptions o;
  o.data_dir = "relative";
  EXPECT_EQ(MakeSlurmJobBackend(o).status().code(), Code::kInvalidArgument);
  o.data_dir = "/data";
  o.bin_dir = "/nonexistent-bin";
  auto b = MakeSlurmJobBackend(o);
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("/nonexistent-bin/sbatch is not installed"),
            std::string::npos);
}

// Against a real cluster (scripts/slurm-cluster.sh; tests/integration/slurm_cluster.test.mjs
// runs this with the variables set): SPACEHUB_TEST_SLURM_CONF and SPACEHUB_TEST_BIN (the spacehub
// binary, for job-exec on the node).
class SlurmClusterTest : public testing::TempDirTest {
 protected:
  void SetUp() override {
    const char* conf = std::getenv("SPACEHUB_TEST_SLURM_CONF");
    const char* bin = std::getenv("SPACEHUB_TEST_BIN");
    if (!conf || !bin) GTEST_SKIP() << "no cluster: SPACEHUB_TEST_SLURM_CONF/SPACEHUB_TEST_BIN";
    SlurmOptions o;
    o.data_dir = dir_;
    o.slurm_conf = conf;
    o.spacehub_binary = bin;
    auto b = MakeSlurmJobBackend(o);
    ASSERT_TRUE(b.ok()) << b.status().ToString();
    backend_ = std::move(*b);
    std::filesystem::create_directories(dir_ / "app");
  }
  JobLaunch Launch(const std::string& id, const std::string& script) {
    JobLaunch l;
    l.job_id = id;
    l.instance.key = "job-" + id;
    l.instance.app_dir = dir_ / "app";
    l.instance.argv = {"/bin/sh", "-c", script};
    l.instance.env = {{"PATH", "/usr/bin:/bin"}, {"FOO", "bar"}, {"TOKEN", "s3cr3t"}};
    l.instance.redactor = Redactor({"s3cr3t"});
    l.redact = {"s3cr3t"};
    l.instance.log_path = dir_ / (id + ".log");
    l.instance.limits.memory_bytes = 256 << 20;
    l.resources.cpus = 1;
    l.resources.memory_mb = 256;
    l.timeout_seconds = 600;
    return l;
  }
  // Polls until `done` holds for the job's status (or 60 s pass); the last status.
  JobRunStatus WaitFor(const std::string& ref, const std::function<bool(const JobRunStatus&)>& done,
                       const std::filesystem::path& log = {}, const std::string& log_has = {}) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    JobRunStatus st;
    while (std::chrono::steady_clock::now() < deadline) {
      st = backend_->Poll(ref);
      if (done(st) &&
          (log_has.empty() || testing::ReadFile(log).find(log_has) != std::string::npos)) {
        return st;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return st;
  }
  std::unique_ptr<JobBackend> backend_;
};

TEST_F(SlurmClusterTest, RunsAJobToItsExitCode) {
  auto ref = backend_->Submit(Launch("exit3", "echo hello $FOO $TOKEN; exit 3"));
  ASSERT_TRUE(ref.ok()) << ref.status().ToString();
  JobRunStatus st =
      WaitFor(*ref, [](const JobRunStatus& s) { return s.state == JobRunState::kExited; });
  ASSERT_EQ(st.state, JobRunState::kExited) << st.reason;
  EXPECT_EQ(st.exit_code, 3);
  EXPECT_GT(st.started_at, 0);
  std::string log = testing::ReadFile(dir_ / "exit3.log");
  EXPECT_NE(log.find(" hello bar ***\n"), std::string::npos) << log;
  EXPECT_EQ(log.find("s3cr3t"), std::string::npos);
  // job-exec took the launch file (and its secrets) off the disk.
  EXPECT_FALSE(std::filesystem::exists(JobFilesFor(dir_, "exit3").launch()));
  backend_->Forget(*ref);
  EXPECT_EQ(backend_->Poll(*ref).state, JobRunState::kLost);
}

TEST_F(SlurmClusterTest, CancelStopsTheSandbox) {
  auto ref = backend_->Submit(Launch("sleeper", "echo started; exec sleep 300"));
  ASSERT_TRUE(ref.ok()) << ref.status().ToString();
  JobRunStatus st = WaitFor(
      *ref, [](const JobRunStatus& s) { return s.state == JobRunState::kRunning; },
      dir_ / "sleeper.log", "started");
  ASSERT_EQ(st.state, JobRunState::kRunning) << st.reason;
  auto t0 = std::chrono::steady_clock::now();
  backend_->Cancel(*ref);
  st = WaitFor(
      *ref, [](const JobRunStatus& s) { return s.state == JobRunState::kStopped; },
      dir_ / "sleeper.log", "exited with code");
  EXPECT_EQ(st.state, JobRunState::kStopped);
  EXPECT_NE(st.reason.find("cancelled"), std::string::npos) << st.reason;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
  backend_->Forget(*ref);
}

TEST_F(SlurmClusterTest, RefusedJobSaysWhy) {
  JobLaunch l = Launch("refused", "true");
  l.resources.partition = "no-such-partition";
  auto ref = backend_->Submit(l);
  ASSERT_FALSE(ref.ok());
  EXPECT_NE(ref.status().message().find("Invalid partition name"), std::string::npos)
      << ref.status().message();
  EXPECT_FALSE(std::filesystem::exists(JobFilesFor(dir_, "refused").dir));
}

}  // namespace
}  // namespace spacehub::runtime
