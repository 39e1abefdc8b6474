#include "runtime/slurm/slurm_batch.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace spacehub::runtime {
namespace {

bool Has(const std::vector<std::string>& argv, const std::string& arg) {
  return std::find(argv.begin(), argv.end(), arg) != argv.end();
}

TEST(SlurmBatchTest, JobIds) {
  EXPECT_TRUE(ValidJobId("65f0a1b2c3d4e5f60718293a"));
  EXPECT_TRUE(ValidJobId("job_1-x"));
  for (const char* bad : {"", "../x", "a b", "a;b", "-x/y", "a\nb", "$(id)"}) {
    EXPECT_FALSE(ValidJobId(bad)) << bad;
  }
  EXPECT_FALSE(ValidJobId(std::string(65, 'a')));
}

TEST(SlurmBatchTest, ShellQuote) {
  EXPECT_EQ(ShellQuote("/usr/bin/spacehub"), "'/usr/bin/spacehub'");
  EXPECT_EQ(ShellQuote("it's $(x) `y`"), "'it'\\''s $(x) `y`'");
  EXPECT_EQ(ShellQuote(""), "''");
}

TEST(SlurmBatchTest, ScriptOnlyExecsJobExec) {
  std::string s = BatchScript("/opt/sh hub/spacehub", "/data/jobs/j1/slurm/launch.json");
  EXPECT_EQ(s.rfind("#!/bin/sh\n", 0), 0u);
  EXPECT_NE(s.find("\nexec '/opt/sh hub/spacehub' job-exec '/data/jobs/j1/slurm/launch.json'\n"),
            std::string::npos)
      << s;
}

TEST(SlurmBatchTest, TimeLimits) {
  EXPECT_EQ(SlurmTimeLimit(1), "0-00:01:00");
  EXPECT_EQ(SlurmTimeLimit(60), "0-00:01:00");
  EXPECT_EQ(SlurmTimeLimit(61), "0-00:02:00");
  EXPECT_EQ(SlurmTimeLimit(1800), "0-00:30:00");
  EXPECT_EQ(SlurmTimeLimit(90061), "1-01:02:00");
}

TEST(SlurmBatchTest, SbatchArgvMapsResources) {
  JobLaunch l;
  l.job_id = "j1";
  l.resources = {"a10g-small", 4, 15360, 1, "gpu", "gpu:a10g:1"};
  l.timeout_seconds = 1830;
  l.instance.env = {{"SECRET", "s3cret"}};
  l.instance.argv = {"python", "-c", "print(1)"};
  SlurmJobFiles f = JobFilesFor("/data", "j1");
  EXPECT_EQ(f.dir, "/data/jobs/j1/slurm");
  auto argv = SbatchArgv("/usr/bin/sbatch", l, f, "batch");
  EXPECT_EQ(argv.front(), "/usr/bin/sbatch");
  EXPECT_EQ(argv.back(), "/data/jobs/j1/slurm/batch.sh");
  for (const char* want :
       {"--parsable", "--export=ALL", "--no-requeue", "--job-name=spacehub-j1",
        "--chdir=/data/jobs/j1/slurm", "--output=/data/jobs/j1/slurm/slurm.out", "--partition=gpu",
        "--cpus-per-task=4", "--mem=15360M", "--gres=gpu:a10g:1", "--time=0-00:31:00"}) {
    EXPECT_TRUE(Has(argv, want)) << want;
  }
  // Nothing of the job's own command or environment is on sbatch's command line.
  for (const auto& a : argv) {
    EXPECT_EQ(a.find("s3cret"), std::string::npos);
    EXPECT_EQ(a.find("print"), std::string::npos);
  }
}

TEST(SlurmBatchTest, SbatchArgvDefaults) {
  JobLaunch l;
  l.job_id = "j2";
  auto argv = SbatchArgv("sbatch", l, JobFilesFor("/d", "j2"), "");
  for (const auto& a : argv) {
    EXPECT_EQ(a.rfind("--partition", 0), std::string::npos) << a;
    EXPECT_EQ(a.rfind("--time", 0), std::string::npos) << a;
    EXPECT_EQ(a.rfind("--gres", 0), std::string::npos) << a;
    EXPECT_EQ(a.rfind("--mem", 0), std::string::npos) << a;
  }
  EXPECT_TRUE(Has(SbatchArgv("sbatch", l, JobFilesFor("/d", "j2"), "cpu"), "--partition=cpu"));
  l.resources.gpus = 2;
  EXPECT_TRUE(Has(SbatchArgv("sbatch", l, JobFilesFor("/d", "j2"), ""), "--gres=gpu:2"));
}

}  // namespace
}  // namespace spacehub::runtime
