// SpaceEngine's Docker Spaces (docs/design/0004-runtime.md "Docker Spaces"): the image build of a
// checked-out commit with podman (variables as build args, secrets as build secrets), and the
// container part of the instance the backend starts (image, user, environment, /data). Each Space
// builds, keeps and runs its images in its own podman store (runtime/podman/podman.h), so no
// Dockerfile reaches another Space's images or build cache.
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/podman/podman.h"
#include "runtime/process.h"
#include "service/space_engine.h"

namespace spacehub::service {
namespace fs = std::filesystem;
namespace {

// The uid a Docker Space runs as when its image names no user (as on the Hub).
constexpr uid_t kSpaceUid = runtime::kSandboxUid;

runtime::PodmanStore StoreOf(const fs::path& data_dir, const std::string& space_uid) {
  return runtime::SpacePodmanStore(data_dir / "spaces", space_uid);
}

}  // namespace

bool SpaceEngine::DockerImageReady(const db::RepoRow& row, const std::string& sha) {
  return runtime::ImageExists(options_.podman, StoreOf(options_.data_dir, row.uid),
                              runtime::DockerImageTag(row.uid, sha));
}

spacehub::Status SpaceEngine::BuildDocker(const db::RepoRow& row, const std::string& sha,
                                          bool factory, const fs::path& dir, const fs::path& log,
                                          runtime::HostIds ids) {
  (void)ids;  // builds are not uid-mapped on podman 4.3 (podman.h says why)
  runtime::DockerBuildSpec spec;
  spec.podman = options_.podman;
  spec.store = StoreOf(options_.data_dir, row.uid);
  spec.context = dir;
  spec.log_path = log;
  spec.scratch = runtime::PodmanScratchDir(options_.data_dir);
  spec.space_uid = row.uid;
  spec.tag = runtime::DockerImageTag(row.uid, sha);
  spec.no_cache = factory;
  SH_ASSIGN_OR_RETURN(auto vars, hub_.db.ListSpaceEntries(row.id, db::SpaceEntryKind::kVariable));
  for (auto& v : vars) spec.build_args[v.key] = v.value;
  SH_ASSIGN_OR_RETURN(spec.secrets, spaces_.SecretEnvironment(row));
  SH_TRY(runtime::BuildDockerImage(spec));
  runtime::AppendLine(log, "spacehub: built the image " + spec.tag);
  return spacehub::Status::Ok();
}

spacehub::Status SpaceEngine::DockerInstance(const db::RepoRow& row, const Space& sp,
                                             runtime::InstanceSpec& spec) {
  runtime::ContainerSpec c;
  c.image = runtime::DockerImageTag(row.uid, sp.state.target_sha);
  c.store = StoreOf(options_.data_dir, row.uid).root;
  // uid 1000 unless the image names its own user; /data then belongs to that uid (the Space's
  // host uid when it has its own block: the backend hands a tier's volume over once attached).
  if (runtime::ImageUser(options_.podman, runtime::PodmanStore{c.store}, c.image).empty()) {
    c.user = std::to_string(kSpaceUid);
    const uid_t owner = spec.ids.set() ? spec.ids.app_uid() : kSpaceUid;
    if (!spec.data_dir.empty() && ::chown(spec.data_dir.c_str(), owner, owner) != 0) {
      return spacehub::Status::Internal("Cannot hand /data to the Space's uid");
    }
  }
  spec.container = std::move(c);
  spec.argv.clear();  // the image's CMD / ENTRYPOINT
  // The sandbox's default PATH and HOME would hide the image's own (ENV in the Dockerfile); the
  // owner's variables of these names still apply.
  const runtime::EnvList defaults = runtime::BuildSpaceEnv({}, {}, {});
  std::erase_if(spec.env, [&](const auto& kv) {
    if (kv.first != "PATH" && kv.first != "HOME") return false;
    for (const auto& d : defaults) {
      if (d.first == kv.first) return d.second == kv.second;
    }
    return false;
  });
  return spacehub::Status::Ok();
}

}  // namespace spacehub::service
