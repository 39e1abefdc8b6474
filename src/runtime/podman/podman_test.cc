#include "runtime/podman/podman.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace spacehub::runtime {
namespace {

bool Has(const std::vector<std::string>& argv, const std::string& s) {
  return std::find(argv.begin(), argv.end(), s) != argv.end();
}

bool HasPair(const std::vector<std::string>& argv, const std::string& a, const std::string& b) {
  for (size_t i = 0; i + 1 < argv.size(); ++i) {
    if (argv[i] == a && argv[i + 1] == b) return true;
  }
  return false;
}

std::string Joined(const std::vector<std::string>& argv) {
  std::string s;
  for (const auto& a : argv) s += a + " ";
  return s;
}

TEST(Podman, ImageTagsAndHubTags) {
  EXPECT_EQ(DockerImageTag("0123456789abcdef01234567", "aabbccddeeff00112233"),
            "spacehub/0123456789abcdef01234567:aabbccddeeff");
  EXPECT_EQ(HubTag("/srv/hub-a"), HubTag("/srv/hub-a"));
  EXPECT_NE(HubTag("/srv/hub-a"), HubTag("/srv/hub-b"));
  EXPECT_EQ(HubTag("/srv/hub-a"), "ca4991feaa");  // FNV-1a 64: tests compute it too
  EXPECT_EQ(PodmanScratchDir("/srv/hub-a"), std::filesystem::path("/srv/hub-a/tmp/podman"));
  EXPECT_EQ(ContainerName("abc", "42"), "spacehub-abc-42");
}

TEST(Podman, BuildArgvHasHostFlagsArgsAndSecretsByFileOnly) {
  DockerBuildSpec spec;
  spec.podman = "/usr/bin/podman";
  spec.context = "/hub/spaces/u/builds/sha";
  spec.tag = "spacehub/u:sha";
  spec.build_args = {{"GREETING", "hello"}};
  spec.secrets = {{"HF_TOKEN", "hf_secret_value"}};
  auto argv = PodmanBuildArgv(spec, "/tmp/spacehub-x");
  EXPECT_EQ(argv[0], "/usr/bin/podman");
  EXPECT_EQ(argv[1], "build");  // the default store: no store flags
  EXPECT_TRUE(HasPair(argv, "--runtime", "runc"));
  EXPECT_TRUE(HasPair(argv, "--ulimit", "nofile=4096:4096"));
  EXPECT_TRUE(HasPair(argv, "--ulimit", "nproc=4096:4096"));
  EXPECT_TRUE(HasPair(argv, "--network", "none"));
  EXPECT_TRUE(Has(argv, "--pull=never"));
  EXPECT_TRUE(HasPair(argv, "--build-arg", "GREETING=hello"));
  EXPECT_TRUE(HasPair(argv, "--secret", "id=HF_TOKEN,src=/tmp/spacehub-x/s0"));
  EXPECT_TRUE(HasPair(argv, "--file", "/tmp/spacehub-x/Dockerfile"));
  EXPECT_TRUE(HasPair(argv, "--tag", "spacehub/u:sha"));
  EXPECT_EQ(argv.back(), "/hub/spaces/u/builds/sha");
  EXPECT_FALSE(Has(argv, "--no-cache"));
  EXPECT_EQ(Joined(argv).find("hf_secret_value"), std::string::npos);
  spec.no_cache = true;
  EXPECT_TRUE(Has(PodmanBuildArgv(spec, "/tmp/spacehub-x"), "--no-cache"));
}

TEST(Podman, RunArgvIsolatesAndKeepsTheEnvironmentOffTheCommandLine) {
  ContainerRunSpec spec;
  spec.podman = "/usr/bin/podman";
  spec.name = "spacehub-abc-7";
  spec.image = "spacehub/u:sha";
  spec.user = "1000";
  spec.hub_tag = "abc";
  spec.data_dir = "/hub/spaces/u/data";
  spec.env_file = "/tmp/spacehub-run-x/env";
  spec.pidfile = "/tmp/spacehub-run-x/pid";
  spec.passthrough_env = {"PEM_KEY"};
  auto argv = PodmanRunArgv(spec);
  EXPECT_EQ(argv[1], "run");
  EXPECT_TRUE(HasPair(argv, "--runtime", "runc"));
  EXPECT_TRUE(HasPair(argv, "--ulimit", "nofile=4096:4096"));
  EXPECT_TRUE(HasPair(argv, "--ulimit", "nproc=4096:4096"));
  EXPECT_TRUE(Has(argv, "--rm"));
  EXPECT_TRUE(HasPair(argv, "--name", "spacehub-abc-7"));
  EXPECT_TRUE(HasPair(argv, "--label", "io.spacehub.hub=abc"));
  EXPECT_TRUE(HasPair(argv, "--network", "none"));
  EXPECT_TRUE(HasPair(argv, "--cap-drop", "ALL"));
  EXPECT_TRUE(HasPair(argv, "--user", "1000"));
  EXPECT_TRUE(HasPair(argv, "--volume", "/hub/spaces/u/data:/data"));
  EXPECT_TRUE(HasPair(argv, "--env-file", "/tmp/spacehub-run-x/env"));
  EXPECT_TRUE(HasPair(argv, "--env", "PEM_KEY"));  // a name: podman takes the value from its env
  EXPECT_TRUE(HasPair(argv, "--pidfile", "/tmp/spacehub-run-x/pid"));
  EXPECT_EQ(argv.back(), "spacehub/u:sha");  // the image's CMD
  spec.user.clear();
  EXPECT_FALSE(Has(PodmanRunArgv(spec), "--user"));
}

TEST(Podman, RunArgvCarriesTheFlavorsLimits) {
  ContainerRunSpec spec;
  spec.podman = "/usr/bin/podman";
  spec.image = "img";
  EXPECT_FALSE(Has(PodmanRunArgv(spec), "--memory"));  // no limits: none on the command line
  spec.limits.memory_bytes = int64_t{1} << 30;
  spec.limits.cpu_millis = 2500;
  spec.limits.pids = 64;
  auto argv = PodmanRunArgv(spec);
  EXPECT_TRUE(HasPair(argv, "--memory", "1073741824b"));
  EXPECT_TRUE(HasPair(argv, "--memory-swap", "1073741824b"));
  EXPECT_TRUE(HasPair(argv, "--cpus", "2.5"));
  EXPECT_TRUE(HasPair(argv, "--pids-limit", "64"));
  EXPECT_EQ(argv.back(), "img");
}

// Each Space builds and runs in its own store, seeing podman's default store read-only; its
// container's ids are the Space's host block.
TEST(Podman, SpaceStoresAndUidMaps) {
  PodmanStore store = SpacePodmanStore("/hub/spaces", "u1");
  EXPECT_EQ(store.root, std::filesystem::path("/hub/spaces/u1/containers"));
  EXPECT_TRUE(PodmanStoreFlags("/usr/bin/podman", PodmanStore{}).empty());
  DockerBuildSpec b;
  b.podman = "/nonexistent/podman";  // `podman info` fails: the usual default store is assumed
  b.store = store;
  b.context = "/hub/spaces/u1/builds/sha";
  auto argv = PodmanBuildArgv(b, "/tmp/x");
  EXPECT_EQ(argv[0], "/nonexistent/podman");
  EXPECT_TRUE(HasPair(argv, "--root", "/hub/spaces/u1/containers/storage"));
  EXPECT_TRUE(HasPair(argv, "--runroot", PodmanRunRoot(store).string()));
  EXPECT_LE(PodmanRunRoot(store).string().size(), 50u);
  EXPECT_TRUE(HasPair(argv, "--tmpdir", "/hub/spaces/u1/containers/libpod"));
  if (std::filesystem::is_directory("/var/lib/containers/storage")) {
    EXPECT_TRUE(HasPair(argv, "--storage-opt", "overlay.imagestore=/var/lib/containers/storage"));
  }
  auto build_at = std::find(argv.begin(), argv.end(), "build");
  ASSERT_NE(build_at, argv.end());
  EXPECT_LT(std::find(argv.begin(), argv.end(), "--root"), build_at);  // a global flag
  EnvList env = PodmanEnv(store);
  EXPECT_NE(
      std::find(env.begin(), env.end(),
                std::pair<std::string, std::string>{"TMPDIR", "/hub/spaces/u1/containers/tmp"}),
      env.end());

  ContainerRunSpec r;
  r.podman = "/nonexistent/podman";
  r.store = store;
  r.image = "img";
  EXPECT_FALSE(Has(PodmanRunArgv(r), "--uidmap"));
  r.ids = HostIds{1'000'013'376};
  auto run = PodmanRunArgv(r);
  EXPECT_TRUE(HasPair(run, "--uidmap", "0:1000013376:65536"));
  EXPECT_TRUE(HasPair(run, "--gidmap", "0:1000013376:65536"));
  EXPECT_TRUE(HasPair(run, "--root", "/hub/spaces/u1/containers/storage"));
}

TEST(Podman, ContainerEnvSplitsMultiLineValuesAndDropsOnesThatSteerPodman) {
  EnvList env = {{"SPACE_ID", "a/b"},
                 {"HF_TOKEN", "hf_x"},
                 {"PEM", "-----BEGIN-----\nabc\n-----END-----"},
                 {"CONTAINERS_CONF", "/x\n/y"},
                 {"HTTPS_PROXY", "a\nb"}};
  ContainerEnv c = SplitContainerEnv(env);
  EXPECT_EQ(c.file_text, "SPACE_ID=a/b\nHF_TOKEN=hf_x\n");
  ASSERT_EQ(c.passthrough.size(), 1u);
  EXPECT_EQ(c.passthrough[0].first, "PEM");
  EXPECT_EQ(c.dropped, (std::vector<std::string>{"CONTAINERS_CONF", "HTTPS_PROXY"}));
}

TEST(Podman, ContainerEnvPassesValuesTooLongForAnEnvFileThroughTheEnvironment) {
  // run_uv_job (huggingface_hub 1.3.7) sends a local script base64-encoded in one variable.
  const std::string script(100 * 1024, 'A');
  const std::string fits(32 * 1024 - 10, 'b');
  EnvList env = {{"UV_SCRIPT_ENCODED", script}, {"FITS", fits}, {"PATH_EXTRA", script}};
  ContainerEnv c = SplitContainerEnv(env);
  EXPECT_EQ(c.file_text, "FITS=" + fits + "\n");
  ASSERT_EQ(c.passthrough.size(), 1u);
  EXPECT_EQ(c.passthrough[0].first, "UV_SCRIPT_ENCODED");
  EXPECT_EQ(c.passthrough[0].second.size(), script.size());
  EXPECT_EQ(c.dropped, (std::vector<std::string>{"PATH_EXTRA"}));
}

TEST(Podman, ScopeDockerfileAddsTheSpaceAfterEveryFrom) {
  EXPECT_EQ(ScopeDockerfile("FROM base:1\nRUN make\n", "u1"),
            "FROM base:1\nARG SPACEHUB_CACHE_SCOPE=u1\nRUN make\n");
  // Multi-stage, lower case, continuation lines, and a RUN whose text mentions FROM.
  EXPECT_EQ(
      ScopeDockerfile(
          "from a AS build\nRUN echo \\\n  FROM x\nFROM \\\n  b\nCOPY --from=build /x /x", "u"),
      "from a AS build\nARG SPACEHUB_CACHE_SCOPE=u\nRUN echo \\\n  FROM x\nFROM \\\n  b\n"
      "ARG SPACEHUB_CACHE_SCOPE=u\nCOPY --from=build /x /x\n");
  // A parser directive changes the escape character.
  EXPECT_EQ(ScopeDockerfile("# escape=`\nFROM `\n  c\nRUN x\n", "u"),
            "# escape=`\nFROM `\n  c\nARG SPACEHUB_CACHE_SCOPE=u\nRUN x\n");
  EXPECT_EQ(ScopeDockerfile("FROMAGE\n", "u"), "FROMAGE\n");
}

// What a CI run saw from podman 4.3 (paths shortened): built once more. A Dockerfile's own
// failure, even one that mentions a mount, is not.
TEST(Podman, OnlyPodmansOverlayMountRaceIsBuiltAgain) {
  EXPECT_TRUE(IsOverlayMountRace(
      "podman build failed (exit code 125):\n"
      "time=\"...\" level=error msg=\"Unmounting /s/overlay/2ca0/merged: invalid argument\"\n"
      "Error: identifier is not a container: preparing container for next step: mounting new "
      "container: mounting build container \"400e\": creating overlay mount to "
      "/s/overlay/2ca0/merged, mount_data=\"lowerdir=/s/overlay/l/2FVT,upperdir=/s/overlay/2ca0/"
      "diff,workdir=/s/overlay/2ca0/work,nodev,volatile\": invalid argument"));
  EXPECT_FALSE(
      IsOverlayMountRace("podman build failed (exit code 1):\nmount: /mnt: invalid argument\n"
                         "Error: building at STEP \"RUN mount -t tmpfs x /mnt\": exit status 32"));
  EXPECT_FALSE(
      IsOverlayMountRace("podman build failed (exit code 125):\n"
                         "Error: creating overlay mount to /x/merged: no space left on "
                         "device"));
}

}  // namespace
}  // namespace spacehub::runtime
