// Value types of the spacehub C++ client: repo ids and types, Space settings and runtime, commit
// operations and results. Plain structs, copyable; no thread-safety concerns beyond a value's own.
// Every result also keeps the server's JSON text (`raw_json`) so callers can read fields the typed
// struct does not name, as huggingface_hub keeps `.raw`.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "spacehub/wire/repo_type.h"
#include "spacehub/wire/space_stage.h"

namespace spacehub::client {

// The server's own RepoType (include/spacehub/wire/): one enum and one set of wire names.
using RepoType = wire::RepoType;
using wire::RepoTypeName;       // "model" / "dataset" / "space"
using wire::RepoTypePlural;     // "models" / "datasets" / "spaces"
using wire::RepoTypeUrlPrefix;  // "" / "datasets/" / "spaces/"
// Parses "model"/"dataset"/"space" (and the plural forms); nullopt otherwise.
inline std::optional<RepoType> ParseRepoType(std::string_view name) {
  return wire::ParseRepoTypeName(name);
}

// Hardware flavors known to the Hub (the wire value is any string; these are conveniences).
namespace hardware {
inline constexpr const char* kCpuBasic = "cpu-basic";
inline constexpr const char* kCpuUpgrade = "cpu-upgrade";
inline constexpr const char* kT4Small = "t4-small";
inline constexpr const char* kT4Medium = "t4-medium";
inline constexpr const char* kA10gSmall = "a10g-small";
inline constexpr const char* kA10gLarge = "a10g-large";
inline constexpr const char* kA100Large = "a100-large";
}  // namespace hardware

// The storage tiers of persistent /data.
enum class SpaceStorage { kSmall, kMedium, kLarge };
const char* SpaceStorageName(SpaceStorage tier);
std::optional<SpaceStorage> ParseSpaceStorage(const std::string& name);

struct KeyValue {
  std::string key;
  std::string value;
  std::string description;  // "" = none
};

struct WhoAmI {
  std::string name;
  std::string type;  // "user" / "org"
  std::vector<std::string> orgs;
  std::string raw_json;
};

struct CreateRepoOptions {
  RepoType type = RepoType::kModel;
  bool private_repo = false;
  bool exist_ok = false;
  // Space-only (sent only when type is kSpace).
  std::string space_sdk;       // gradio, streamlit, docker, static
  std::string space_hardware;  // "" = server default
  std::optional<SpaceStorage> space_storage;
  std::optional<int64_t> space_sleep_time;
  std::vector<KeyValue> space_secrets;
  std::vector<KeyValue> space_variables;
};

struct DuplicateSpaceOptions {
  std::string to_id;  // "" = same name under the caller's namespace; "name" = caller's namespace
  std::optional<bool> private_repo;
  std::string hardware;
  std::optional<SpaceStorage> storage;
  std::optional<int64_t> sleep_time;
  std::vector<KeyValue> secrets;
  std::vector<KeyValue> variables;
  bool exist_ok = false;
};

struct RepoFile {
  std::string path;
  std::optional<int64_t> size;
  std::string lfs_sha256;  // "" when not an LFS file
};

struct RepoInfo {
  std::string id;
  std::string sha;
  bool private_repo = false;
  std::string last_modified;
  std::vector<RepoFile> siblings;
  std::string sdk;  // Spaces
  // Spaces: runtime.stage. nullopt when absent or a stage this build does not know (a newer
  // server); runtime_stage_name keeps the wire text either way ("" when absent).
  std::optional<wire::SpaceStage> runtime_stage;
  std::string runtime_stage_name;
  std::string raw_json;
};

struct SpaceRuntime {
  // nullopt when absent or a stage this build does not know (a newer server); stage_name keeps
  // the wire text either way ("" when absent).
  std::optional<wire::SpaceStage> stage;
  std::string stage_name;
  std::optional<std::string> hardware;            // hardware.current
  std::optional<std::string> requested_hardware;  // hardware.requested
  std::optional<int64_t> sleep_time;              // gcTimeout
  std::optional<std::string> storage;
  std::string raw_json;
};

struct SpaceVariable {
  std::string key;
  std::string value;
  std::string description;
  std::string updated_at;
};

// One operation of a commit, in the order given.
struct CommitOperation {
  enum class Kind { kAdd, kDelete };
  Kind kind = Kind::kAdd;
  std::string path_in_repo;
  // kAdd: exactly one of local_path or content.
  std::string local_path;
  std::optional<std::string> content;
  // kDelete: a folder (sent as deletedFolder) when the path ends with '/'.

  static CommitOperation AddFile(std::string path_in_repo, std::string local_path);
  static CommitOperation AddBytes(std::string path_in_repo, std::string content);
  static CommitOperation Delete(std::string path_in_repo);
};

struct CommitInfo {
  std::string commit_url;
  std::string commit_oid;
  std::string pr_url;
  bool empty = false;  // every operation was a no-op; no commit made
};

// One entry of list_repo_tree / get_paths_info (spec §7.1): a file or a directory.
struct RepoTreeEntry {
  bool is_directory = false;
  std::string path;
  std::string oid;         // git blob (file) or tree (directory) id
  int64_t size = 0;        // files: content size (the LFS object's size for LFS files)
  std::string lfs_sha256;  // "" when not an LFS file
  // With expand: the last commit that touched the path ("" when not asked for).
  std::string last_commit_id, last_commit_title, last_commit_date;
  std::string raw_json;
};

struct TreeOptions {
  RepoType type = RepoType::kModel;
  std::string revision = "main";
  std::string path_in_repo;  // "" = the root
  bool recursive = false;
  bool expand = false;  // ask for lastCommit per entry (the server pages by 50 then)
};

// One branch, tag or PR ref (spec §7.3).
struct GitRef {
  std::string name;           // "main"
  std::string ref;            // "refs/heads/main"
  std::string target_commit;  // 40-hex sha
};

struct GitRefs {
  std::vector<GitRef> branches, converts, tags, pull_requests;
};

// One entry of list_repo_commits (spec §7.4), newest first.
struct GitCommit {
  std::string id;
  std::vector<std::string> authors;
  std::string date;  // ISO-8601 UTC
  std::string title;
  std::string message;
};

// One line of a Space's build or run log (GET /api/spaces/{id}/logs/{build|run}, SSE).
struct SpaceLogLine {
  std::string timestamp;  // ISO-8601 UTC; "" when the server sent none
  std::string data;       // the text, usually ending in '\n'
};

struct SpaceLogOptions {
  bool build = false;  // the build log instead of the run log
  // false: stop at the end of the stream, or once it has been idle `idle_seconds` (the Hub keeps
  // a run log open). true: read until the server ends the stream or the callback returns false.
  bool follow = false;
  long idle_seconds = 3;
};

// Called once per log line, on the calling thread; return false to stop reading.
using SpaceLogFn = std::function<bool(const SpaceLogLine&)>;

// What the local cache knows about one file at one revision, found without asking the hub
// (huggingface_hub's try_to_load_from_cache).
struct CachedFile {
  enum class State {
    kNotCached,    // nothing known (Python: None): download it to find out
    kCached,       // `path` is the file in snapshots/<commit>/
    kNonExistent,  // a .no_exist marker: the file was missing at that commit (_CACHED_NO_EXIST)
  };
  State state = State::kNotCached;
  std::string path;  // kCached only
};

// Progress of a transfer: bytes done of total (total 0 = unknown). Single-file transfers report
// on the calling thread; uploads and snapshot downloads that work in parallel report the sum over
// all their files under the label "upload" / "download", from worker threads, one call at a time
// (the library serialises the calls).
using ProgressFn = std::function<void(const std::string& label, uint64_t done, uint64_t total)>;

}  // namespace spacehub::client
