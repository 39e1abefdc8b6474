// A tour of the spacehub C++ client calls that the `spacehub` CLI does not make on its own, run
// against a hub by tests/integration/cpp_cli.test.mjs: repo_exists, revision_exists, file_exists,
// space_info, create_commit with in-memory bytes and deletes (file and folder), paths-info,
// list_repo_files, the cache's memory of a missing file (.no_exist) read by try_to_load_from_cache,
// snapshot_download's allow_patterns / ignore_patterns, local_files_only and offline mode (a client
// whose endpoint is a closed port answers from the cache), get_space_logs, and one HubClient
// shared by 8 threads that upload, list and download at once.
//
//   HF_ENDPOINT=http://127.0.0.1:8080 HF_TOKEN=hf_… library_tour <namespace>
//
// Prints "ok <call>" per check; exits 1 with the failing check's message otherwise.
#include <spacehub/hub_client.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace sc = spacehub::client;

namespace {

void Check(bool ok, const std::string& what) {
  if (!ok) throw std::runtime_error("check failed: " + what);
  std::cout << "ok " << what << "\n";
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Every file under `dir`, relative, sorted ("a.txt,dir/b.txt").
std::string FilesUnder(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (!e.is_directory()) names.push_back(e.path().lexically_relative(dir).string());
  }
  std::sort(names.begin(), names.end());
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ",") + n;
  return out;
}

std::string TempDir() {
  std::string tmpl = std::filesystem::temp_directory_path().string() + "/library_tour.XXXXXX";
  if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  return tmpl;
}

// The offline half of the tour: what the cache answers with no hub at all.
void OfflineChecks(const sc::HubClient& api, const std::string& id, const std::string& got) {
  sc::DownloadOptions local;
  local.local_files_only = true;
  Check(api.HfHubDownload(id, "a.txt", local) == got, "local_files_only finds a cached file");
  try {
    api.HfHubDownload(id, "dir/c.txt", local);
    Check(false, "local_files_only: an uncached file is LocalEntryNotFound");
  } catch (const sc::LocalEntryNotFound&) {
    Check(true, "local_files_only: an uncached file is LocalEntryNotFound");
  }
  sc::ClientOptions off;
  off.offline = true;  // as HF_HUB_OFFLINE=1
  off.endpoint = "http://127.0.0.1:1";
  sc::HubClient offline(off);
  std::string snapshot = offline.SnapshotDownload(id);
  Check(offline.HfHubDownload(id, "a.txt") == got && got.rfind(snapshot + "/", 0) == 0,
        "offline mode answers from the cache");
  try {
    offline.RepoExists(id);
    Check(false, "offline mode refuses a request before sending");
  } catch (const sc::OfflineModeIsEnabled&) {
    Check(true, "offline mode refuses a request before sending");
  }
  try {
    sc::DownloadOptions force;
    force.force_download = true;
    offline.HfHubDownload(id, "a.txt", force);
    Check(false, "offline force_download is an invalid argument");
  } catch (const sc::LocalError& e) {
    Check(e.kind() == sc::ErrorKind::kInvalidArgument,
          "offline force_download is an invalid argument");
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: library_tour <namespace>\n";
    return 2;
  }
  const std::string ns = argv[1];
  try {
    sc::HubClient api;
    const std::string id = ns + "/tour";
    Check(!api.RepoExists(id), "repo_exists false before create");
    api.CreateRepo(id);
    Check(api.RepoExists(id), "repo_exists true after create");

    using Op = sc::CommitOperation;
    auto first =
        api.CreateCommit(id, sc::RepoType::kModel,
                         {Op::AddBytes("a.txt", "alpha\n"), Op::AddBytes("dir/b.txt", "b\n"),
                          Op::AddBytes("dir/c.txt", "c\n")},
                         "bytes");
    Check(first.commit_oid.size() == 40, "create_commit with bytes");
    Check(api.FileExists(id, "dir/b.txt") && !api.FileExists(id, "nope.txt") &&
              !api.FileExists(ns + "/no-such-repo", "a.txt") &&
              !api.FileExists(id, "a.txt", sc::RepoType::kModel, "no-such-branch") &&
              api.FileExists(id, "a.txt", sc::RepoType::kModel, first.commit_oid),
          "file_exists");
    Check(api.RevisionExists(id, first.commit_oid) && !api.RevisionExists(id, "no-such-branch") &&
              !api.RevisionExists(ns + "/no-such-repo", "main"),
          "revision_exists");
    try {
      api.HfHubDownload(id, "nope.txt");
      Check(false, "a missing file is EntryNotFound");
    } catch (const sc::EntryNotFound&) {
    }
    using State = sc::CachedFile::State;
    Check(api.TryToLoadFromCache(id, "nope.txt").state == State::kNonExistent,
          "a missing file is cached as non-existent at " + first.commit_oid);
    std::string got = api.HfHubDownload(id, "a.txt");
    auto hit = api.TryToLoadFromCache(id, "a.txt");
    Check(hit.state == State::kCached && hit.path == got &&
              api.TryToLoadFromCache(id, "never-asked.txt").state == State::kNotCached,
          "try_to_load_from_cache finds a downloaded file, not an unknown one");
    sc::DownloadOptions some;
    some.cache_dir = TempDir();
    some.allow_patterns = {"dir/", "*.md"};
    some.ignore_patterns = {"*/c.*"};
    std::string filtered = api.SnapshotDownload(id, some);
    Check(
        FilesUnder(filtered) == "dir/b.txt",
        "snapshot_download with allow_patterns and ignore_patterns (" + FilesUnder(filtered) + ")");
    std::filesystem::remove_all(*some.cache_dir);
    OfflineChecks(api, id, got);
    auto second =
        api.CreateCommit(id, sc::RepoType::kModel, {Op::Delete("a.txt"), Op::Delete("dir/")},
                         "deletes", "main", "", first.commit_oid);
    auto files = api.ListRepoFiles(id);
    bool gone = true;
    for (const auto& f : files) gone = gone && f != "a.txt" && f.rfind("dir/", 0) != 0;
    Check(second.commit_oid != first.commit_oid && gone,
          "create_commit deletes a file and a folder");
    auto at_first = api.GetPathsInfo(id, {"a.txt", "dir"}, sc::RepoType::kModel, first.commit_oid);
    Check(at_first.size() == 2, "paths-info at an older commit");
    try {
      api.CreateCommit(id, sc::RepoType::kModel, {Op::AddBytes("x.txt", "x")}, "stale parent",
                       "main", "", first.commit_oid);
      Check(false, "a stale parent commit is refused");
    } catch (const sc::HttpError& e) {
      Check(e.status() == 409 || e.status() == 412 || e.status() == 400,
            "a stale parent commit is refused (" + std::to_string(e.status()) + ")");
    }

    // One client, 8 threads: each commits its own file, lists, and downloads it back.
    std::atomic<int> good{0};
    std::vector<std::thread> threads;
    std::vector<std::string> errors(8);
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        try {
          std::string name = "threads/t" + std::to_string(t) + ".txt";
          std::string body = "thread " + std::to_string(t) + "\n";
          for (int attempt = 0;; ++attempt) {
            try {
              api.CreateCommit(id, sc::RepoType::kModel, {Op::AddBytes(name, body)}, "t");
              break;
            } catch (const sc::HttpError& e) {  // concurrent commits to one branch may conflict
              if (attempt >= 20 || e.status() < 409) throw;
            }
          }
          api.ListRepoRefs(id);
          std::string path = api.HfHubDownload(id, name);
          if (Slurp(path) == body) ++good;
        } catch (const std::exception& e) {
          errors[t] = e.what();
        }
      });
    }
    for (auto& th : threads) th.join();
    for (const auto& e : errors) {
      if (!e.empty()) std::cerr << "thread: " << e << "\n";
    }
    Check(good == 8, "8 threads share one HubClient");

    const std::string space = ns + "/tour-space";
    sc::CreateRepoOptions o;
    o.type = sc::RepoType::kSpace;
    o.space_sdk = "static";
    api.CreateRepo(space, o);
    auto info = api.SpaceInfo(space);
    Check(info.id == space && info.sdk == "static", "space_info");
    auto logs = api.GetSpaceLogs(space, /*build=*/true);
    Check(true, "get_space_logs (" + std::to_string(logs.size()) + " build lines)");
    int seen = 0;
    sc::SpaceLogOptions lo;
    lo.build = true;
    api.StreamSpaceLogs(space, lo, [&](const sc::SpaceLogLine&) { return ++seen < 1; });
    Check(seen <= 1, "a log callback that returns false stops the stream");
    api.DeleteRepo(space, sc::RepoType::kSpace);
    api.DeleteRepo(id);
    Check(!api.RepoExists(id), "delete_repo");
  } catch (const std::exception& e) {
    std::cerr << "library_tour: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
