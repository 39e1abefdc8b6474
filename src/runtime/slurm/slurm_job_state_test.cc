#include "runtime/slurm/slurm_job_state.h"

#include <gtest/gtest.h>

namespace spacehub::runtime {
namespace {

// Lines recorded from `SLURM_TIME_FORMAT=%s scontrol show job -o <id>` on the one-machine
// cluster of scripts/slurm-cluster.sh (Debian 12, Slurm 22.05.8).
constexpr const char* kRunning =
    "JobId=12 JobName=wrap UserId=root(0) GroupId=root(0) MCS_label=N/A Priority=4294901748 "
    "Nice=0 Account=(null) QOS=(null) JobState=RUNNING Reason=None Dependency=(null) Requeue=1 "
    "Restarts=0 BatchFlag=1 Reboot=0 ExitCode=0:0 RunTime=00:00:03 TimeLimit=365-00:00:00 "
    "TimeMin=N/A SubmitTime=1796213882 EligibleTime=1796213882 AccrueTime=1796213882 "
    "StartTime=1796213882 EndTime=1827749882 Deadline=N/A SuspendTime=None SecsPreSuspend=0 "
    "LastSchedEval=1796213882 Scheduler=Backfill Partition=debug AllocNode:Sid=localhost:4410 "
    "ReqNodeList=(null) ExcNodeList=(null) NodeList=vm BatchHost=vm NumNodes=1 NumCPUs=1 "
    "NumTasks=1 CPUs/Task=1 ReqB:S:C:T=0:0:*:* TRES=cpu=1,node=1,billing=1 Socks/Node=* "
    "NtasksPerN:B:S:C=0:0:*:* CoreSpec=* MinCPUsNode=1 MinMemoryNode=0 MinTmpDiskNode=0 "
    "Features=(null) DelayBoot=00:00:00 OverSubscribe=OK Contiguous=0 Licenses=(null) "
    "Network=(null) Command=(null) WorkDir=/tmp/sc1/samples StdErr=/dev/null StdIn=/dev/null "
    "StdOut=/dev/null Power= \n";
constexpr const char* kCancelled =
    "JobId=14 JobName=wrap UserId=root(0) GroupId=root(0) MCS_label=N/A Priority=4294901746 "
    "Nice=0 Account=(null) QOS=(null) JobState=CANCELLED Reason=None Dependency=(null) "
    "Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=0:15 RunTime=00:00:02 "
    "TimeLimit=365-00:00:00 TimeMin=N/A SubmitTime=1796213882 EligibleTime=1796213882 "
    "AccrueTime=1796213882 StartTime=1796213882 EndTime=1796213884 Deadline=N/A "
    "Partition=debug WorkDir=/tmp/sc1/samples StdOut=/dev/null Power= \n";
constexpr const char* kCompleted =
    "JobId=15 JobName=wrap UserId=root(0) GroupId=root(0) JobState=COMPLETED Reason=None "
    "Dependency=(null) Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=0:0 RunTime=00:00:00 "
    "TimeLimit=365-00:00:00 TimeMin=N/A SubmitTime=1796213882 StartTime=1796213882 "
    "EndTime=1796213882 Partition=debug NodeList=vm WorkDir=/tmp/sc1/samples Power= \n";
constexpr const char* kExit3 =
    "JobId=2 JobName=wrap UserId=root(0) GroupId=root(0) MCS_label=N/A Priority=4294901758 "
    "Nice=0 Account=(null) QOS=(null) JobState=FAILED Reason=NonZeroExitCode Dependency=(null) "
    "Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=3:0 RunTime=00:00:01 "
    "TimeLimit=UNLIMITED TimeMin=N/A SubmitTime=1796213624 EligibleTime=1796213624 "
    "AccrueTime=1796213624 StartTime=1796213624 EndTime=1796213625 Deadline=N/A "
    "WorkDir=/work/main StdErr=/tmp/sc1/out.2 StdIn=/dev/null StdOut=/tmp/sc1/out.2 Power= \n";
constexpr const char* kKilled =  // the batch script killed itself with SIGKILL
    "JobId=16 JobName=wrap UserId=root(0) GroupId=root(0) JobState=FAILED "
    "Reason=JobLaunchFailure Dependency=(null) Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 "
    "ExitCode=0:9 RunTime=00:00:00 TimeLimit=365-00:00:00 TimeMin=N/A SubmitTime=1796213882 "
    "StartTime=1796213882 EndTime=1796213882 Deadline=N/A Power= \n";
constexpr const char* kPending =  // asked for the whole node while it was busy
    "JobId=17 JobName=wrap UserId=root(0) GroupId=root(0) MCS_label=N/A Priority=4294901743 "
    "Nice=0 Account=(null) QOS=(null) JobState=PENDING Reason=Resources Dependency=(null) "
    "Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=0:0 RunTime=00:00:00 "
    "TimeLimit=UNLIMITED TimeMin=N/A SubmitTime=1796213882 EligibleTime=1796213882 "
    "AccrueTime=1796213882 StartTime=1827749882 EndTime=Unknown Deadline=N/A NodeList= "
    "NumNodes=1 NumCPUs=64 TRES=cpu=64,mem=1T,node=1,billing=64 Power= \n";
constexpr const char* kTimeout =
    "JobId=13 JobName=wrap UserId=root(0) GroupId=root(0) MCS_label=N/A Priority=4294901747 "
    "Nice=0 Account=(null) QOS=(null) JobState=TIMEOUT Reason=TimeLimit Dependency=(null) "
    "Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=0:15 RunTime=00:01:24 "
    "TimeLimit=00:01:00 TimeMin=N/A SubmitTime=1796213882 EligibleTime=1796213882 "
    "AccrueTime=1796213882 StartTime=1796213882 EndTime=1796213966 Deadline=N/A Power= \n";

TEST(SlurmJobStateTest, ParsesPairsWithOddKeysAndSpacedValues) {
  auto p = ParseScontrolPairs(
      "JobId=7 JobName=spacehub-abc AllocNode:Sid=localhost:4410 CPUs/Task=2 "
      "TRES=cpu=1,node=1 WorkDir=/data/my dir/x StdOut=/o Power= ");
  EXPECT_EQ(p["JobId"], "7");
  EXPECT_EQ(p["JobName"], "spacehub-abc");
  EXPECT_EQ(p["AllocNode:Sid"], "localhost:4410");
  EXPECT_EQ(p["CPUs/Task"], "2");
  EXPECT_EQ(p["TRES"], "cpu=1,node=1");
  EXPECT_EQ(p["WorkDir"], "/data/my dir/x");
  EXPECT_EQ(p["Power"], "");
  EXPECT_TRUE(ParseScontrolPairs("").empty());
  EXPECT_TRUE(ParseScontrolPairs("   =x ==  ").empty());
}

TEST(SlurmJobStateTest, ParsesRecordedJobs) {
  auto j = ParseScontrolJob(kExit3);
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  EXPECT_EQ(j->state, "FAILED");
  EXPECT_EQ(j->reason, "NonZeroExitCode");
  EXPECT_EQ(j->exit_code, 3);
  EXPECT_EQ(j->exit_signal, 0);
  EXPECT_EQ(j->start_time, 1796213624);
  auto c = ParseScontrolJob(kCancelled);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->exit_signal, 15);
  auto p = ParseScontrolJob(kPending);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->reason, "Resources");
  EXPECT_EQ(ParseScontrolJob("JobId=1 JobState=RUNNING+RESIZING")->state, "RUNNING");
  EXPECT_FALSE(ParseScontrolJob("").ok());
  EXPECT_FALSE(ParseScontrolJob("JobId=1 Reason=None").ok());
  EXPECT_FALSE(ParseScontrolJob("slurm_load_jobs error: Invalid job id specified\n").ok());
  // Hostile numbers do not throw or overflow.
  auto h = ParseScontrolJob("JobState=FAILED ExitCode=99999999999999999999:x StartTime=-");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->exit_code, 0);
  EXPECT_EQ(h->start_time, 0);
}

TEST(SlurmJobStateTest, UnknownJob) {
  EXPECT_TRUE(IsUnknownJobError("slurm_load_jobs error: Invalid job id specified\n"));
  EXPECT_FALSE(IsUnknownJobError(
      "slurm_load_jobs error: Unable to contact slurm controller (connect failure)\n"));
}

TEST(SlurmJobStateTest, MapsStates) {
  struct Case {
    const char* line;
    JobRunState state;
    std::optional<int> exit_code;
    const char* reason_has;
    int64_t started_at;
  };
  const Case cases[] = {
      {kRunning, JobRunState::kRunning, std::nullopt, "", 1796213882000},
      {kCompleted, JobRunState::kExited, 0, "", 1796213882000},
      {kExit3, JobRunState::kExited, 3, "", 1796213624000},
      {kCancelled, JobRunState::kStopped, 143, "cancelled", 1796213882000},
      {kTimeout, JobRunState::kStopped, 143, "time limit (00:01:00)", 1796213882000},
      {kPending, JobRunState::kPending, std::nullopt, "queue (Resources)", 0},
      {kKilled, JobRunState::kStopped, 137, "signal 9", 1796213882000},
      {"JobState=CONFIGURING Reason=None", JobRunState::kPending, std::nullopt, "", 0},
      {"JobState=COMPLETING ExitCode=0:0 StartTime=5", JobRunState::kRunning, std::nullopt, "",
       5000},
      {"JobState=NODE_FAIL Reason=NodeDown ExitCode=0:0 StartTime=5", JobRunState::kStopped,
       std::nullopt, "node running the job failed", 5000},
      {"JobState=BOOT_FAIL ExitCode=0:0", JobRunState::kStopped, std::nullopt, "boot", 0},
      {"JobState=OUT_OF_MEMORY ExitCode=0:125 StartTime=1", JobRunState::kStopped, 253,
       "out of memory", 1000},
      {"JobState=PREEMPTED ExitCode=0:15", JobRunState::kStopped, 143, "preempted", 0},
      {"JobState=DEADLINE", JobRunState::kStopped, std::nullopt, "deadline", 0},
      {"JobState=SPECIAL_EXIT Reason=X", JobRunState::kStopped, std::nullopt, "SPECIAL_EXIT (X)",
       0},
      {"JobState=FAILED Reason=JobLaunchFailure ExitCode=1:0", JobRunState::kStopped, 1,
       "could not launch", 0},
  };
  for (const auto& c : cases) {
    auto job = ParseScontrolJob(c.line);
    ASSERT_TRUE(job.ok()) << c.line;
    JobRunStatus st = JobStatusOf(*job, "");
    EXPECT_EQ(st.state, c.state) << c.line;
    EXPECT_EQ(st.exit_code, c.exit_code) << c.line;
    EXPECT_NE(st.reason.find(c.reason_has), std::string::npos) << c.line << ": " << st.reason;
    EXPECT_EQ(st.started_at, c.started_at) << c.line;
  }
}

TEST(SlurmJobStateTest, ExecErrorWinsForAFailedJob) {
  auto job = ParseScontrolJob("JobState=FAILED Reason=NonZeroExitCode ExitCode=1:0");
  ASSERT_TRUE(job.ok());
  JobRunStatus st = JobStatusOf(*job, "bubblewrap (bwrap) is not installed on this node");
  EXPECT_EQ(st.state, JobRunState::kStopped);
  EXPECT_EQ(st.reason, "bubblewrap (bwrap) is not installed on this node");
  EXPECT_EQ(JobStatusOf(*job, "").state, JobRunState::kExited);
}

TEST(SlurmJobStateTest, GpuDevices) {
  EXPECT_TRUE(SlurmGpuDevices("").empty());
  EXPECT_TRUE(SlurmGpuDevices("x,,-1,99999").empty());
  auto d = SlurmGpuDevices("0,2");
  ASSERT_EQ(d.size(), 6u);
  EXPECT_EQ(d[0], "/dev/nvidiactl");
  EXPECT_EQ(d[4], "/dev/nvidia0");
  EXPECT_EQ(d[5], "/dev/nvidia2");
}

}  // namespace
}  // namespace spacehub::runtime
