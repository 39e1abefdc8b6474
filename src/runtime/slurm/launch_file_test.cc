#include "runtime/slurm/launch_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testing/temp_dir.h"

namespace spacehub::runtime {
namespace {

using LaunchFileTest = testing::TempDirTest;

JobLaunch Sample() {
  JobLaunch l;
  l.job_id = "65f0a1b2c3d4e5f60718293a";
  InstanceSpec& s = l.instance;
  s.key = "job-65f0a1b2c3d4e5f60718293a";
  s.app_dir = "/data/spaces/u1/app";
  s.limits = {2LL << 30, 2000, 512};
  s.devices = {"/dev/nvidia0"};
  s.log_path = "/data/jobs/65f0a1b2c3d4e5f60718293a/run.log";
  s.argv = {"python", "-c", "print('hi \"there\"')"};
  s.env = {{"HF_TOKEN", "hf_secret"}, {"MULTI", "a\nb=c"}, {"EMPTY", ""}};
  s.files = {{"/app/.streamlit/secrets.toml", "x = 1\n"}};
  s.ids.base = 1'000'065'536;
  s.tmp_bytes = 1 << 20;
  s.log_cap = 4096;
  s.container = ContainerSpec{"spacehub/u1:abc", "1000", "/data/spaces/u1/podman"};
  s.volume = VolumeSpec{"/img", "/mnt", 42};
  l.redact = {"hf_secret"};
  l.resources = {"cpu-upgrade", 8, 32768, 0, "cpu", ""};
  l.timeout_seconds = 1800;
  return l;
}

TEST_F(LaunchFileTest, RoundTrip) {
  const JobLaunch in = Sample();
  auto out = LaunchFromJson(LaunchToJson(in));
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->job_id, in.job_id);
  const InstanceSpec& s = out->instance;
  EXPECT_EQ(s.key, in.instance.key);
  EXPECT_EQ(s.app_dir, in.instance.app_dir);
  EXPECT_EQ(s.limits.memory_bytes, 2LL << 30);
  EXPECT_EQ(s.limits.cpu_millis, 2000);
  EXPECT_EQ(s.limits.pids, 512);
  EXPECT_EQ(s.devices, in.instance.devices);
  EXPECT_EQ(s.log_path, in.instance.log_path);
  EXPECT_EQ(s.argv, in.instance.argv);
  EXPECT_EQ(s.env, in.instance.env);
  EXPECT_EQ(s.files, in.instance.files);
  EXPECT_EQ(s.ids.base, in.instance.ids.base);
  EXPECT_EQ(s.tmp_bytes, 1 << 20);
  EXPECT_EQ(s.log_cap, 4096);
  ASSERT_TRUE(s.container.has_value());
  EXPECT_EQ(s.container->image, "spacehub/u1:abc");
  EXPECT_EQ(s.container->store, "/data/spaces/u1/podman");
  ASSERT_TRUE(s.volume.has_value());
  EXPECT_EQ(s.volume->size_bytes, 42);
  EXPECT_EQ(out->redact, in.redact);
  EXPECT_EQ(s.redactor.Apply("token hf_secret"), "token ***");
  EXPECT_EQ(out->resources.flavor, "cpu-upgrade");
  EXPECT_EQ(out->resources.memory_mb, 32768);
  EXPECT_EQ(out->resources.partition, "cpu");
  EXPECT_EQ(out->timeout_seconds, 1800);

  JobLaunch bare;
  bare.job_id = "j";
  auto b = LaunchFromJson(LaunchToJson(bare));
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE(b->instance.container.has_value());
  EXPECT_FALSE(b->instance.volume.has_value());
}

TEST_F(LaunchFileTest, HostileText) {
  for (const char* bad : {"", "{", "[]", "{\"version\":2}", "{\"version\":1}",
                          "{\"version\":1,\"job_id\":5}", "null"}) {
    EXPECT_FALSE(LaunchFromJson(bad).ok()) << bad;
  }
  // Invalid UTF-8 in a value is carried, not thrown.
  JobLaunch l = Sample();
  l.instance.env.emplace_back("BIN", std::string("\xff\xfe", 2));
  EXPECT_TRUE(LaunchFromJson(LaunchToJson(l)).ok());
}

TEST_F(LaunchFileTest, WrittenPrivateAndTakenOnce) {
  const auto path = dir_ / "launch.json";
  ASSERT_TRUE(WriteLaunchFile(path, Sample()).ok());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // Never replaces a file that is already there (planted or a second submit).
  EXPECT_FALSE(WriteLaunchFile(path, Sample()).ok());
  auto taken = TakeLaunchFile(path);
  ASSERT_TRUE(taken.ok()) << taken.status().ToString();
  EXPECT_EQ(taken->job_id, Sample().job_id);
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_EQ(TakeLaunchFile(path).status().code(), Code::kNotFound);
}

TEST_F(LaunchFileTest, RefusesFilesOthersCouldRead) {
  const auto path = dir_ / "launch.json";
  ASSERT_TRUE(WriteLaunchFile(path, Sample()).ok());
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  EXPECT_EQ(TakeLaunchFile(path).status().code(), Code::kPermissionDenied);
  const auto link = dir_ / "link.json";
  std::filesystem::create_symlink(path, link);
  EXPECT_FALSE(TakeLaunchFile(link).ok());
  EXPECT_FALSE(TakeLaunchFile(dir_).ok());
}

}  // namespace
}  // namespace spacehub::runtime
