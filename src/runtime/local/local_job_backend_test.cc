// LocalJobBackend (local_job_backend.h) over a fake RuntimeBackend: a job is an instance run to its
// end, named by its key; its states as the job engine reads them, and a cancel told apart from an
// exit.
#include "runtime/local/local_job_backend.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace spacehub::runtime {
namespace {

// Instances the test starts and ends by hand. Single-threaded here.
class FakeRuntime final : public RuntimeBackend {
 public:
  Result<HostIds> SpaceIds(const std::string& space_uid) override {
    ids_asked.push_back(space_uid);
    return HostIds{};
  }
  Status Start(const InstanceSpec& spec) override {
    if (refuse) return Status::Unavailable("no sandbox");
    started.push_back(spec.key);
    InstanceStatus st;
    st.exists = true;
    st.alive = true;
    st.started_at = 1234;
    instances[spec.key] = st;
    return Status::Ok();
  }
  void Stop(const std::string& key) override {
    stopped.push_back(key);
    instances.erase(key);
  }
  InstanceStatus Get(const std::string& key) override {
    auto it = instances.find(key);
    return it == instances.end() ? InstanceStatus{} : it->second;
  }
  bool Probe(const std::string&) override { return false; }
  Result<int> Connect(const std::string&, int) override { return Status::Unavailable("fake"); }
  Result<int> ListenInside(const std::string&, int) override { return Status::Unavailable("fake"); }

  void Exit(const std::string& key, int code) {
    instances.at(key).alive = false;
    instances.at(key).exit_code = code;
  }

  bool refuse = false;
  std::vector<std::string> started, stopped, ids_asked;
  std::map<std::string, InstanceStatus> instances;
};

JobLaunch Launch(const std::string& id) {
  JobLaunch l;
  l.job_id = id;
  l.instance.key = "job-" + id;
  l.instance.argv = {"true"};
  return l;
}

TEST(LocalJobBackendTest, AJobRunsToItsExitCode) {
  FakeRuntime rt;
  LocalJobBackend backend(rt);
  EXPECT_EQ(backend.Name(), "local");
  auto ref = backend.Submit(Launch("a"));
  ASSERT_TRUE(ref.ok());
  EXPECT_EQ(*ref, "job-a");  // its reference is its instance key
  EXPECT_EQ(rt.started, (std::vector<std::string>{"job-a"}));

  JobRunStatus st = backend.Poll(*ref);
  EXPECT_EQ(st.state, JobRunState::kRunning);
  EXPECT_EQ(st.started_at, 1234);
  rt.Exit(*ref, 3);
  st = backend.Poll(*ref);
  EXPECT_EQ(st.state, JobRunState::kExited);
  EXPECT_EQ(st.exit_code, 3);

  backend.Forget(*ref);
  EXPECT_EQ(rt.stopped, (std::vector<std::string>{"job-a"}));  // its cgroup is freed
  EXPECT_EQ(backend.Poll(*ref).state, JobRunState::kLost);
}

TEST(LocalJobBackendTest, ASubmitThatFailsLeavesNothing) {
  FakeRuntime rt;
  LocalJobBackend backend(rt);
  JobLaunch keyless = Launch("b");
  keyless.instance.key.clear();
  EXPECT_EQ(backend.Submit(keyless).status().code(), Code::kInvalidArgument);
  rt.refuse = true;
  EXPECT_EQ(backend.Submit(Launch("c")).status().code(), Code::kUnavailable);
  EXPECT_EQ(backend.Poll("job-c").state, JobRunState::kLost);
}

TEST(LocalJobBackendTest, ACanceledJobIsStoppedNotExited) {
  FakeRuntime rt;
  LocalJobBackend backend(rt);
  auto ref = backend.Submit(Launch("a"));
  ASSERT_TRUE(ref.ok());
  backend.Cancel(*ref);
  EXPECT_EQ(rt.stopped, (std::vector<std::string>{"job-a"}));
  JobRunStatus st = backend.Poll(*ref);
  EXPECT_EQ(st.state, JobRunState::kStopped);
  EXPECT_EQ(st.reason, "Canceled");
  EXPECT_EQ(st.exit_code, std::nullopt);
  // Once forgotten, nothing is kept: a new run under the same key is a run like any other.
  backend.Forget(*ref);
  EXPECT_EQ(backend.Poll(*ref).state, JobRunState::kLost);
  ASSERT_TRUE(backend.Submit(Launch("a")).ok());
  EXPECT_EQ(backend.Poll("job-a").state, JobRunState::kRunning);
  // Cancel of what is gone, or never was, is harmless.
  backend.Cancel("job-zzz");
  backend.Forget("job-zzz");
  EXPECT_EQ(backend.Poll("job-a").state, JobRunState::kRunning);
}

TEST(LocalJobBackendTest, ImageJobsShareOneIdBlockNeverASpaces) {
  FakeRuntime rt;
  LocalJobBackend backend(rt);
  ASSERT_TRUE(backend.ImageJobIds().ok());
  ASSERT_EQ(rt.ids_asked.size(), 1u);
  EXPECT_EQ(rt.ids_asked[0], ".jobs");  // a leading dot: never a Space's directory name
}

}  // namespace
}  // namespace spacehub::runtime
