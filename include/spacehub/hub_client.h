// spacehub::client::HubClient: the Hub HTTP API in C++ (the subset of huggingface_hub.HfApi that
// manages repos, Spaces and Jobs, uploads and downloads), over libcurl.
//
// Configuration comes from ClientOptions, else the environment like the Python client:
// HF_ENDPOINT (default https://huggingface.co), HF_TOKEN (else $HF_HOME/token), HF_HOME (default
// ~/.cache/huggingface; downloads go to $HF_HUB_CACHE or $HF_HOME/hub, same layout as
// huggingface_hub so either client reuses the other's files), HF_HUB_OFFLINE (offline mode: no
// request is sent; downloads answer from the cache).
//
// Threads: a HubClient is immutable after construction; every method may be called concurrently
// from any number of threads without locking (a request runs on one libcurl easy handle owned by
// the calling thread and reused only by that thread, which keeps its connections alive; libcurl's
// global init runs once). Some calls start their own short-lived worker threads (max_workers) and
// join them before returning. Errors are thrown as the types in spacehub/errors.h.
//
// Retries follow huggingface_hub's http_backoff: listing pages, preupload and LFS transfers retry
// 408/429/5xx and network errors (5 retries, 1 s doubling to 8 s; a 429's `RateLimit: …;t=<n>`
// waits n + 1 s, else a numeric Retry-After is honoured); file
// downloads retry 408/429 and network errors, resuming from the bytes they have; other calls
// (create, commit, settings…) are sent once.
// Ownership: HubClient owns nothing the caller passes in; strings are copied.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "spacehub/errors.h"
#include "spacehub/jobs.h"
#include "spacehub/types.h"

namespace spacehub::client {

struct ClientOptions {
  std::optional<std::string> endpoint;   // else HF_ENDPOINT
  std::optional<std::string> token;      // else HF_TOKEN, else $HF_HOME/token ("" = anonymous)
  std::optional<std::string> cache_dir;  // else HF_HUB_CACHE, else $HF_HOME/hub
  // Offline mode, else HF_HUB_OFFLINE (or TRANSFORMERS_OFFLINE) set to 1/ON/YES/TRUE, as
  // huggingface_hub reads it: every call that would send a request throws OfflineModeIsEnabled
  // before sending, and downloads behave as with DownloadOptions::local_files_only.
  std::optional<bool> offline;
  std::string user_agent = "spacehub-cpp/0.1";
  // Uploads and downloads report here when set (see ProgressFn in types.h for which thread).
  // Concurrent HubClient calls report concurrently: guard shared state in the callback.
  ProgressFn progress;
  // Threads for the parallel parts of a call: hashing and LFS uploads of CreateCommit /
  // UploadFolder (each multipart part is a unit), and the files of SnapshotDownload
  // (huggingface_hub uses 5 and 8). 1 = sequential.
  int max_workers = 8;
  // Offer the Xet transfer for LFS files (uploads go as xorbs and a shard when the hub answers
  // "xet"; downloads rebuild Xet-announced files from xorbs). false = plain LFS both ways.
  bool use_xet = true;
  // LZ4-compress xorb chunks on upload (keeping the smaller of raw / LZ4 / BG4+LZ4 per chunk). Off
  // by default: model weights rarely compress, and trying costs more CPU than the bytes it saves.
  bool xet_compress = false;
};

struct DownloadOptions {
  RepoType type = RepoType::kModel;
  std::string revision = "main";
  std::optional<std::string> cache_dir;  // overrides the client's
  // Set: files go to <local_dir>/<path> as regular files (no symlinks), with huggingface_hub's
  // <local_dir>/.cache/huggingface/download/<path>.metadata beside them so a later download skips
  // what has not changed; the cache is only read (a file it holds is copied, not downloaded).
  std::optional<std::string> local_dir;
  bool force_download = false;
  // No request at all (huggingface_hub's local_files_only; offline mode implies it): the revision
  // is a commit hash or is resolved through the cache's refs/<revision>, and the answer is the
  // cached file / snapshot folder (with local_dir: the file there / the folder when not empty),
  // else LocalEntryNotFound. With force_download, HfHubDownload throws
  // LocalError(kInvalidArgument), as Python raises ValueError.
  bool local_files_only = false;
  // SnapshotDownload only: keep the files that match one of allow_patterns (when not empty) and
  // none of ignore_patterns. Python's fnmatch patterns ('*' also matches '/'; "dir/" means
  // everything under dir/), as huggingface_hub's filter_repo_objects. An offline snapshot returns
  // the cached folder as it is, without filtering, as Python does.
  std::vector<std::string> allow_patterns;
  std::vector<std::string> ignore_patterns;
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
  // huggingface_hub's repo_exists / revision_exists / file_exists: false when the hub says the
  // repo (a private one included), the revision or the file is not there; GatedRepo is true for
  // RepoExists, false for RevisionExists and thrown by FileExists, as in Python; anything else
  // (network, 5xx) is thrown. FileExists sends one HEAD of the resolve URL.
  bool RepoExists(const std::string& repo_id, RepoType type = RepoType::kModel) const;
  bool RevisionExists(const std::string& repo_id, const std::string& revision,
                      RepoType type = RepoType::kModel) const;
  bool FileExists(const std::string& repo_id, const std::string& filename,
                  RepoType type = RepoType::kModel, const std::string& revision = "main") const;
  // Lists repos of a type, following Link pagination; author/search "" = no filter, limit 0 = all.
  std::vector<RepoInfo> ListRepos(RepoType type, const std::string& author = "",
                                  const std::string& search = "", int limit = 0) const;
  // Renames or transfers a repo (POST /api/repos/move); both ids are "namespace/name".
  void MoveRepo(const std::string& from_id, const std::string& to_id,
                RepoType type = RepoType::kModel) const;

  // --- tree, refs, history (spec §7) ----------------------------------------------------------
  // Every entry under options.path_in_repo, following Link pagination.
  std::vector<RepoTreeEntry> ListRepoTree(const std::string& repo_id,
                                          const TreeOptions& options = {}) const;
  // Every file path of the revision (a recursive tree, files only).
  std::vector<std::string> ListRepoFiles(const std::string& repo_id,
                                         RepoType type = RepoType::kModel,
                                         const std::string& revision = "main") const;
  // The entries for these paths; paths that do not exist are simply absent.
  std::vector<RepoTreeEntry> GetPathsInfo(const std::string& repo_id,
                                          const std::vector<std::string>& paths,
                                          RepoType type = RepoType::kModel,
                                          const std::string& revision = "main",
                                          bool expand = false) const;
  GitRefs ListRepoRefs(const std::string& repo_id, RepoType type = RepoType::kModel,
                       bool include_pull_requests = false) const;
  // Newest first, following pagination; limit 0 = all.
  std::vector<GitCommit> ListRepoCommits(const std::string& repo_id,
                                         RepoType type = RepoType::kModel,
                                         const std::string& revision = "main", int limit = 0) const;
  // starting_point "" = the default branch's head. exist_ok swallows the 409.
  void CreateBranch(const std::string& repo_id, const std::string& branch,
                    RepoType type = RepoType::kModel, const std::string& starting_point = "",
                    bool exist_ok = false) const;
  void DeleteBranch(const std::string& repo_id, const std::string& branch,
                    RepoType type = RepoType::kModel) const;
  // Tags `revision` ("" = main); message "" = a lightweight tag.
  void CreateTag(const std::string& repo_id, const std::string& tag,
                 RepoType type = RepoType::kModel, const std::string& revision = "",
                 const std::string& message = "", bool exist_ok = false) const;
  void DeleteTag(const std::string& repo_id, const std::string& tag,
                 RepoType type = RepoType::kModel) const;

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
  // Downloads into the cache and returns the snapshot path (a symlink to the blob); with
  // options.local_dir, into that folder and returns <local_dir>/<filename>. Resumes a partial
  // download (a dropped connection in this call, or a .incomplete file left by an earlier one)
  // with a Range request; blobs/ and local_dir only ever hold complete files, and a local write
  // failure (disk full) removes the partial file and throws LocalError(kLocalIo). A missing file
  // (EntryNotFound naming the commit) leaves a .no_exist/<commit>/<filename> marker in the cache,
  // as huggingface_hub does; TryToLoadFromCache reports it. Offline (local_files_only, offline
  // mode) it answers from the cache or local_dir only, else throws LocalEntryNotFound.
  std::string HfHubDownload(const std::string& repo_id, const std::string& filename,
                            const DownloadOptions& options = {}) const;

  // Downloads every file of the revision (listed by the recursive tree at the commit repo_info
  // resolves; only those options.allow_patterns / ignore_patterns select) on max_workers threads.
  // Into the cache: writes refs/<revision> and returns the snapshot directory. With
  // options.local_dir: returns that folder (resolved). When the hub cannot be reached (network,
  // a server error) or may not be asked (local_files_only, offline mode), returns the cached
  // snapshot of the revision (refs/<revision>, or the commit hash given) or a local_dir that
  // already holds files; offline with neither, throws LocalEntryNotFound.
  std::string SnapshotDownload(const std::string& repo_id,
                               const DownloadOptions& options = {}) const;

  // What the cache (options.cache_dir, else the client's) knows about `filename` at
  // options.revision, without a request (huggingface_hub's try_to_load_from_cache): the cached
  // file's path, "known not to exist" (a .no_exist marker), or not cached. options.type picks the
  // repo type; the other fields are unused.
  CachedFile TryToLoadFromCache(const std::string& repo_id, const std::string& filename,
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
  // Streams the build or run log (server-sent events), calling on_line per line on this thread
  // until the stream ends, it idles (without follow), or on_line returns false.
  void StreamSpaceLogs(const std::string& repo_id, const SpaceLogOptions& options,
                       const SpaceLogFn& on_line) const;
  // The log lines available now (StreamSpaceLogs without follow, collected).
  std::vector<SpaceLogLine> GetSpaceLogs(const std::string& repo_id, bool build = false) const;

  // --- Jobs (spec §1) -------------------------------------------------------------------------
  // `ns` is the user or organization the job runs under; "" = the caller (whoami), as
  // huggingface_hub does. `job_id` may also be "ns/id" (the namespace part then wins).
  JobInfo RunJob(const JobSpec& spec, const std::string& ns = "") const;
  // Every job of the namespace, following Link pagination.
  std::vector<JobInfo> ListJobs(const std::string& ns = "") const;
  JobInfo InspectJob(const std::string& job_id, const std::string& ns = "") const;
  void CancelJob(const std::string& job_id, const std::string& ns = "") const;
  // Streams the job's log (server-sent events), calling on_line per line on this thread until
  // the stream ends (see JobLogOptions for follow and reconnects) or on_line returns false.
  void FetchJobLogs(const std::string& job_id, const JobLogOptions& options,
                    const JobLogFn& on_line, const std::string& ns = "") const;
  std::vector<JobHardware> ListJobsHardware() const;

  // Scheduled jobs: `schedule` is "@hourly"…"@annually" or a 5-field cron expression (UTC).
  ScheduledJobInfo CreateScheduledJob(const JobSpec& spec, const std::string& schedule,
                                      const ScheduledJobOptions& options = {},
                                      const std::string& ns = "") const;
  std::vector<ScheduledJobInfo> ListScheduledJobs(const std::string& ns = "") const;
  ScheduledJobInfo InspectScheduledJob(const std::string& scheduled_job_id,
                                       const std::string& ns = "") const;
  void DeleteScheduledJob(const std::string& scheduled_job_id, const std::string& ns = "") const;
  void SuspendScheduledJob(const std::string& scheduled_job_id, const std::string& ns = "") const;
  void ResumeScheduledJob(const std::string& scheduled_job_id, const std::string& ns = "") const;
  // Runs it now; HttpError 409 while a run is active and the schedule forbids concurrency.
  JobInfo TriggerScheduledJob(const std::string& scheduled_job_id,
                              const std::string& ns = "") const;

  class Impl;  // opaque; named here only so the library's own files can reach it

 private:
  std::unique_ptr<Impl> impl_;
};

// True for the stages a Space passes through on its own (see WaitForSpace).
bool IsTransitionalStage(const std::string& stage);

}  // namespace spacehub::client
