// spacehub::client::HubClient: the Hub HTTP API in C++ (the subset of huggingface_hub.HfApi that
// manages repos and Spaces, uploads and downloads), over libcurl.
//
// Configuration comes from ClientOptions, else the environment like the Python client:
// HF_ENDPOINT (default https://huggingface.co), HF_TOKEN (else $HF_HOME/token), HF_HOME (default
// ~/.cache/huggingface; downloads go to $HF_HUB_CACHE or $HF_HOME/hub, same layout as
// huggingface_hub so either client reuses the other's files).
//
// Threads: a HubClient is immutable after construction; every method may be called concurrently
// from any number of threads (each call uses its own libcurl easy handle; libcurl's global init
// runs once). Errors are thrown as the types in spacehub/errors.h.
// Ownership: HubClient owns nothing the caller passes in; strings are copied.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "spacehub/errors.h"
#include "spacehub/types.h"

namespace spacehub::client {

struct ClientOptions {
  std::optional<std::string> endpoint;   // else HF_ENDPOINT
  std::optional<std::string> token;      // else HF_TOKEN, else $HF_HOME/token ("" = anonymous)
  std::optional<std::string> cache_dir;  // else HF_HUB_CACHE, else $HF_HOME/hub
  std::string user_agent = "spacehub-cpp/0.1";
  // Uploads and downloads report here when set, on the thread making the call: with concurrent
  // calls it is called concurrently too.
  ProgressFn progress;
};

struct DownloadOptions {
  RepoType type = RepoType::kModel;
  std::string revision = "main";
  std::optional<std::string> cache_dir;  // overrides the client's
  bool force_download = false;
};

class HubClient final {
 public:
  explicit HubClient(ClientOptions options = {});
  ~HubClient();
  HubClient(const HubClient&) = delete;
  HubClient& operator=(const HubClient&) = delete;
  HubClient(HubClient&&) noexcept;
  HubClient& operator=(HubClient&&) noexcept;

  const std::string& endpoint() const;
  const std::string& cache_dir() const;
  bool has_token() const;

  // --- identity and repos -------------------------------------------------------------------
  WhoAmI Whoami() const;
  // Returns the repo URL ({endpoint}/{prefix}{id}).
  std::string CreateRepo(const std::string& repo_id, const CreateRepoOptions& options = {}) const;
  void DeleteRepo(const std::string& repo_id, RepoType type = RepoType::kModel,
                  bool missing_ok = false) const;
  RepoInfo GetRepoInfo(const std::string& repo_id, RepoType type = RepoType::kModel,
                       const std::string& revision = "") const;
  RepoInfo SpaceInfo(const std::string& repo_id) const;
  bool RepoExists(const std::string& repo_id, RepoType type = RepoType::kModel) const;
  // Lists repos of a type, following Link pagination; author/search "" = no filter, limit 0 = all.
  std::vector<RepoInfo> ListRepos(RepoType type, const std::string& author = "",
                                  const std::string& search = "", int limit = 0) const;

  // --- uploads --------------------------------------------------------------------------------
  CommitInfo CreateCommit(const std::string& repo_id, RepoType type,
                          const std::vector<CommitOperation>& operations,
                          const std::string& commit_message, const std::string& revision = "main",
                          const std::string& commit_description = "",
                          const std::string& parent_commit = "") const;
  CommitInfo UploadFile(const std::string& repo_id, RepoType type, const std::string& local_path,
                        const std::string& path_in_repo, const std::string& commit_message = "",
                        const std::string& revision = "main") const;
  // Uploads every file under folder_path (skipping .git/ and .cache/huggingface/) below
  // path_in_repo ("" = repo root).
  CommitInfo UploadFolder(const std::string& repo_id, RepoType type, const std::string& folder_path,
                          const std::string& path_in_repo = "",
                          const std::string& commit_message = "",
                          const std::string& revision = "main") const;

  // --- downloads ------------------------------------------------------------------------------
  // Downloads into the cache and returns the snapshot path (a symlink to the blob). Resumes a
  // previous partial download with a Range request; never leaves a partial file under blobs/.
  std::string HfHubDownload(const std::string& repo_id, const std::string& filename,
                            const DownloadOptions& options = {}) const;

  // Downloads every file of the revision (from repo_info's file list) into the cache, writes
  // refs/<revision>, and returns the snapshot directory.
  std::string SnapshotDownload(const std::string& repo_id,
                               const DownloadOptions& options = {}) const;

  // --- Spaces ---------------------------------------------------------------------------------
  std::string DuplicateSpace(const std::string& from_id,
                             const DuplicateSpaceOptions& options = {}) const;
  void AddSpaceSecret(const std::string& repo_id, const std::string& key, const std::string& value,
                      const std::string& description = "") const;
  void DeleteSpaceSecret(const std::string& repo_id, const std::string& key) const;
  std::vector<SpaceVariable> GetSpaceVariables(const std::string& repo_id) const;
  std::vector<SpaceVariable> AddSpaceVariable(const std::string& repo_id, const std::string& key,
                                              const std::string& value,
                                              const std::string& description = "") const;
  std::vector<SpaceVariable> DeleteSpaceVariable(const std::string& repo_id,
                                                 const std::string& key) const;
  SpaceRuntime GetSpaceRuntime(const std::string& repo_id) const;
  SpaceRuntime RequestSpaceHardware(const std::string& repo_id, const std::string& hardware,
                                    std::optional<int64_t> sleep_time = std::nullopt) const;
  // sleep_time -1 = never sleep.
  SpaceRuntime SetSpaceSleepTime(const std::string& repo_id, int64_t sleep_time) const;
  SpaceRuntime PauseSpace(const std::string& repo_id) const;
  SpaceRuntime RestartSpace(const std::string& repo_id, bool factory_reboot = false) const;
  SpaceRuntime RequestSpaceStorage(const std::string& repo_id, SpaceStorage storage) const;
  SpaceRuntime DeleteSpaceStorage(const std::string& repo_id) const;
  // Polls the runtime every `interval` until its stage is not transitional (BUILDING,
  // RUNNING_BUILDING, APP_STARTING, RUNNING_APP_STARTING); throws TimeoutError after `timeout`.
  SpaceRuntime WaitForSpace(const std::string& repo_id, std::chrono::milliseconds timeout,
                            std::chrono::milliseconds interval = std::chrono::seconds(1)) const;

  class Impl;  // opaque; named here only so the library's own files can reach it

 private:
  std::unique_ptr<Impl> impl_;
};

// True for the stages a Space passes through on its own (see WaitForSpace).
bool IsTransitionalStage(const std::string& stage);

}  // namespace spacehub::client
