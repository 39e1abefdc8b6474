// Docker Spaces with podman (spec/spaces.md "Docker Spaces", issue #5): the image build of one
// commit and the command line of the container that runs it. ARCHITECTURE.md: podman works on these
// hosts only with `--runtime runc` and explicit nofile/nproc ulimits, so every build and run gets
// them; no registry is reachable, so a base image must already be in the local store.
//
// Isolation between Spaces (issue #12 item 9): every Space has its own podman storage
// (PodmanStore: `--root <space dir>/containers/storage`, its own run and libpod directories) in
// which its images are built, cached and run; podman's default store — where the operator puts
// base images — is only a read-only additional image store of it. So a Dockerfile's `FROM`,
// `COPY --from` or `RUN --mount=from=` can name a base image or one of the Space's own images and
// nothing else, however the name is spelled or built from ARGs (no Dockerfile parsing is involved),
// and buildah's cache mounts (`RUN --mount=type=cache`, kept under $TMPDIR) live in the Space's
// own `containers/tmp`. A container runs in the Space's host uid block (`--uidmap 0:<base>:65536`,
// runtime/host_ids.h): its uid 1000 is the Space's own host uid, shared with no other Space.
// Builds are not uid-mapped yet: podman 4.3 (Debian 12) fails `RUN --mount=type=cache` under
// `--userns-uid-map` and commits such layers with host ids; a build's RUN steps keep podman's
// rootful defaults (no network, default capabilities), in the Space's own store.
//
//  - BuildDockerImage: `podman build` of the checked-out commit (Dockerfile at its root), the
//    Space's variables as `--build-arg`, its secrets as build secrets (`--secret id=NAME,src=F`,
//    each F a 0600 file in a private 0700 directory removed when the build ends: what
//    `RUN --mount=type=secret,id=NAME` reads at /run/secrets/NAME), a build cache per Space
//    (ScopeDockerfile), `--no-cache` for a factory rebuild, no network, no pull; podman's output
//    streamed line by line into the build log with every secret value redacted; tagged
//    `spacehub/<space uid>:<sha12>`; older images of the Space removed after success.
//  - PodmanRunArgv: `podman run --rm` in the Space's store and uid block, with its own network
//    namespace holding only `lo`
//    (`--network none`: the hub reaches the app by entering that namespace, like a bwrap sandbox),
//    no capabilities, uid 1000 unless the image names its user, /data bound read-write, the
//    environment from a file (never on the command line), a per-hub label so a restarted hub finds
//    and removes the containers its previous life left behind.
// Free functions; thread-safe.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "runtime/cgroup.h"
#include "runtime/host_ids.h"
#include "runtime/redactor.h"
#include "runtime/space_env.h"

namespace spacehub::runtime {

// Label carried by every container a hub starts; its value is that hub's tag (HubTag).
inline constexpr const char* kHubLabel = "io.spacehub.hub";

// podman on this machine (PATH, then /usr/bin); empty when absent.
std::filesystem::path FindPodman();

// Short stable tag of a hub (from its data directory), so hubs sharing one podman store never
// touch each other's containers.
std::string HubTag(const std::filesystem::path& data_dir);

// `spacehub/<uid>:<first 12 of sha>`; the repository part names every image of the Space.
std::string DockerImageRepo(const std::string& space_uid);
std::string DockerImageTag(const std::string& space_uid, const std::string& sha);

// A Space's own podman storage under `root` (absolute): storage/ (images, layers, containers),
// libpod/ (podman's state) and tmp/ (buildah's TMPDIR: build bundles and cache mounts); its run
// root is PodmanRunRoot (podman wants that path short). An empty root is podman's default store
// (what older hubs used).
struct PodmanStore {
  std::filesystem::path root;
};
// `<spaces_root>/<space uid>/containers`, made absolute and canonical (podman records the paths it
// was given, so the engine and the backend must name a store alike).
PodmanStore SpacePodmanStore(const std::filesystem::path& spaces_root,
                             const std::string& space_uid);
// `/run/spacehub/<first 16 hex of sha256(root)>`: podman refuses a run root over 50 characters.
std::filesystem::path PodmanRunRoot(const PodmanStore& store);
// The global flags selecting `store` (none for the default store), with podman's default store
// as a read-only additional image store (asked from `podman info` once per hub).
std::vector<std::string> PodmanStoreFlags(const std::filesystem::path& podman,
                                          const PodmanStore& store);
// `podman <store flags>`: the start of every command on that store.
std::vector<std::string> PodmanCommand(const std::filesystem::path& podman,
                                       const PodmanStore& store);
// Creates the store's directories (0700) where missing.
Status PrepareStore(const PodmanStore& store);

// podman's own environment: enough to find its helpers, nothing of the Space's; TMPDIR in the
// store's tmp/ (buildah keeps cache mounts there).
EnvList PodmanEnv(const PodmanStore& store = {});

// `spacehub-<hub tag>-<key>`: one container per Space instance and hub.
std::string ContainerName(const std::string& hub_tag, const std::string& key);

// Creates `path` with mode 0600 (it must not exist) holding `content`.
Status WritePrivateFile(const std::filesystem::path& path, const std::string& content);

// `<data>/tmp/podman`: private (0700) scratch space of builds (secret files, the scoped
// Dockerfile) and runs (env file, pidfile). A hub killed mid-way leaves files there, so the next
// one empties it at start (ResetScratchDir) — secrets never linger in the system's /tmp.
std::filesystem::path PodmanScratchDir(const std::filesystem::path& data_dir);
Status ResetScratchDir(const std::filesystem::path& dir);
// A new 0700 directory under `scratch` (created when missing).
Result<std::filesystem::path> MakePrivateDir(const std::filesystem::path& scratch,
                                             const std::string& prefix);

// Flags every podman build and run needs on these hosts.
std::vector<std::string> PodmanHostFlags();

struct DockerBuildSpec {
  std::filesystem::path podman;
  PodmanStore store;              // the Space's own
  std::filesystem::path context;  // the checkout; Dockerfile at its root
  std::filesystem::path log_path;
  std::filesystem::path scratch;  // PodmanScratchDir
  std::string space_uid;
  std::string tag;  // DockerImageTag
  bool no_cache = false;
  std::map<std::string, std::string> build_args;  // the Space's variables
  std::map<std::string, std::string> secrets;     // name → value
  std::chrono::seconds timeout{1800};
};

// Build caches are per Space: podman reuses a cached RUN layer whenever the instruction text and
// the ARGs in scope match, whatever the build secrets were, so a layer one Space built with its
// secrets would serve any other Space with the same Dockerfile lines. The hub therefore builds
// from a copy of the Dockerfile with `ARG SPACEHUB_CACHE_SCOPE=<space uid>` after every FROM
// (a parser directive's escape character honoured), which puts the Space into every RUN's key.
inline constexpr const char* kCacheScopeArg = "SPACEHUB_CACHE_SCOPE";
std::string ScopeDockerfile(const std::string& text, const std::string& scope);

// The argv of `podman build`; `secret_dir` holds one file per secret (s0, s1… in the order of
// `secrets`) and the scoped Dockerfile.
std::vector<std::string> PodmanBuildArgv(const DockerBuildSpec& spec,
                                         const std::filesystem::path& secret_dir);

// Builds the image. A failure's message carries the last lines of podman's output (redacted).
// A build that failed on podman's own overlay mount race is run once more (see below).
Status BuildDockerImage(const DockerBuildSpec& spec);

// Whether podman's output shows it failing to mount a build container's layer: "Unmounting
// <layer>/merged: invalid argument", then "creating overlay mount to <layer>/merged ... invalid
// argument". A known podman/overlayfs race (volatile build layers), not the Dockerfile's fault:
// seen once in about a dozen CI runs of the same build, which the next build then passes.
bool IsOverlayMountRace(std::string_view podman_output);

bool ImageExists(const std::filesystem::path& podman, const PodmanStore& store,
                 const std::string& tag);
// The image's configured user ("" when it names none).
std::string ImageUser(const std::filesystem::path& podman, const PodmanStore& store,
                      const std::string& tag);

struct ContainerRunSpec {
  std::filesystem::path podman;
  PodmanStore store;  // the Space's own
  HostIds ids;        // set: the container's uids and gids are the Space's host block
  std::string name;
  std::string image;
  std::string user;  // --user; empty: the image's own
  std::string hub_tag;
  std::filesystem::path data_dir;  // bound at /data; empty: none
  std::filesystem::path env_file;
  std::filesystem::path pidfile;             // podman writes the container's host pid there
  std::vector<std::string> passthrough_env;  // names whose value podman takes from its own env
  std::vector<std::string> argv;             // empty: the image's CMD
  Limits limits;                             // the flavor's memory, CPU and processes; 0 = none
  std::vector<std::string> devices;          // host device nodes (GPUs) given to the container
};

std::vector<std::string> PodmanRunArgv(const ContainerRunSpec& spec);

// Splits the Space environment: single-line values go into the env file's text (KEY=VALUE per
// line); values with a newline or over 32 KiB (which an env file cannot hold: podman fails on a
// line of 64 KiB) are returned in `passthrough` and given to podman through its own environment,
// unless their name could steer podman itself, in which case they are dropped and named in
// `dropped`.
struct ContainerEnv {
  std::string file_text;
  EnvList passthrough;
  std::vector<std::string> dropped;
};
ContainerEnv SplitContainerEnv(const EnvList& env);

// Removes (force, no grace) every container of `store` labelled with this hub's tag; returns
// their names.
std::vector<std::string> RemoveHubContainers(const std::filesystem::path& podman,
                                             const PodmanStore& store, const std::string& hub_tag);
// The store a container of this name was started in (PodmanRunArgv's callers record it), so that
// code holding only the name removes it from the right store. Thread-safe.
void RememberContainerStore(const std::string& name, const PodmanStore& store);
// `podman rm -f --time <grace> <name>` in the store remembered for `name` (missing containers
// ignored).
void RemoveContainer(const std::filesystem::path& podman, const std::string& name,
                     std::chrono::seconds grace);

// Runs argv (no shell) and returns its exit code and stdout+stderr, killed after `timeout`.
struct CommandOutput {
  int code = -1;
  std::string output;
};
Result<CommandOutput> RunCapture(const std::vector<std::string>& argv, std::chrono::seconds timeout,
                                 const EnvList& env = PodmanEnv());

}  // namespace spacehub::runtime
