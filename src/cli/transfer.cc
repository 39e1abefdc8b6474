// `spacehub upload` and `spacehub download`: files in and out of a repository, in the shape of
// `hf upload` / `hf download`. Downloads land in the huggingface_hub cache, or with --local-dir in
// a plain folder (real files plus huggingface_hub's .cache/huggingface/ metadata); the command
// prints the path(s). A whole-revision download takes --include / --exclude patterns as
// `hf download` does; HF_HUB_OFFLINE=1 answers from the cache alone (the library reads it).
#include <filesystem>
#include <iostream>

#include "cli/client_common.h"
#include "cli/commands.h"

namespace spacehub::cli {
namespace {

struct UploadFlags {
  ClientFlags client;
  int max_workers = 8;
  std::string repo_id, local_path, path_in_repo, repo_type = "model", revision = "main",
                                                 commit_message, commit_description;
};

struct DownloadFlags {
  ClientFlags client;
  int max_workers = 8;
  std::string repo_id, repo_type = "model", revision = "main", cache_dir, local_dir;
  std::vector<std::string> filenames, include, exclude;
  bool force = false;
};

int Upload(const UploadFlags& f) {
  auto client = MakeClient(f.client, true, f.max_workers);
  RepoType type = RepoTypeFlag(f.repo_type);
  std::error_code ec;
  CommitInfo info;
  if (std::filesystem::is_directory(f.local_path, ec)) {
    info = client->UploadFolder(f.repo_id, type, f.local_path, f.path_in_repo, f.commit_message,
                                f.revision);
  } else if (std::filesystem::is_regular_file(f.local_path, ec)) {
    std::string target = f.path_in_repo.empty()
                             ? std::filesystem::path(f.local_path).filename().string()
                             : f.path_in_repo;
    info = client->UploadFile(f.repo_id, type, f.local_path, target, f.commit_message, f.revision);
  } else {
    throw LocalError(ErrorKind::kInvalidArgument, f.local_path + ": no such file or directory");
  }
  if (f.client.json) {
    PrintJson(
        {{"commitUrl", info.commit_url}, {"commitOid", info.commit_oid}, {"empty", info.empty}});
  } else {
    std::cout << (info.empty ? "no changes: " : "") << info.commit_url << "\n";
  }
  return kExitOk;
}

int Download(const DownloadFlags& f) {
  auto client = MakeClient(f.client, true, f.max_workers);
  DownloadOptions o;
  o.type = RepoTypeFlag(f.repo_type);
  o.revision = f.revision;
  o.force_download = f.force;
  if (!f.cache_dir.empty()) o.cache_dir = f.cache_dir;
  if (!f.local_dir.empty()) o.local_dir = f.local_dir;
  if (f.filenames.empty()) {  // the whole snapshot at this revision, filtered
    o.allow_patterns = f.include;
    o.ignore_patterns = f.exclude;
    std::string dir = client->SnapshotDownload(f.repo_id, o);
    if (f.client.json) {
      PrintJson({{o.local_dir ? "localDir" : "snapshot", dir}});
    } else {
      std::cout << dir << "\n";
    }
    return kExitOk;
  }
  // As `hf download`: named files win over patterns.
  if (!f.include.empty()) std::cerr << "warning: --include ignored: file names were given\n";
  if (!f.exclude.empty()) std::cerr << "warning: --exclude ignored: file names were given\n";
  const std::vector<std::string>& names = f.filenames;
  nlohmann::json out = nlohmann::json::array();
  for (const auto& name : names) {
    std::string path = client->HfHubDownload(f.repo_id, name, o);
    if (f.client.json) {
      out.push_back({{"filename", name}, {"path", path}});
    } else {
      std::cout << path << "\n";
    }
  }
  if (f.client.json) PrintJson(out);
  return kExitOk;
}

}  // namespace

Command AddUploadCommand(CLI::App& app) {
  auto f = std::make_shared<UploadFlags>();
  CLI::App* cmd = app.add_subcommand(
      "upload", "Upload a file or a folder to a repository in one commit (LFS for large files)");
  AddClientFlags(cmd, &f->client);
  cmd->add_option("repo_id", f->repo_id, "namespace/name")->required();
  cmd->add_option("local_path", f->local_path, "file or folder to upload")->required();
  cmd->add_option("path_in_repo", f->path_in_repo,
                  "where in the repo (default: the file's name, or the root for a folder)");
  cmd->add_option("--repo-type,--type", f->repo_type, "model, dataset or space")
      ->capture_default_str();
  cmd->add_option("--revision", f->revision, "branch to commit to")->capture_default_str();
  cmd->add_option("--commit-message", f->commit_message, "commit summary");
  cmd->add_option("--commit-description", f->commit_description, "commit description");
  cmd->add_flag("--no-xet", f->client.no_xet,
                "send LFS files as plain LFS objects, not Xet xorbs (when the hub offers Xet)");
  cmd->add_option("--max-workers", f->max_workers, "threads for hashing and LFS transfers")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  return [f] { return RunClient(f->client, [&] { return Upload(*f); }); };
}

Command AddDownloadCommand(CLI::App& app) {
  auto f = std::make_shared<DownloadFlags>();
  CLI::App* cmd = app.add_subcommand(
      "download",
      "Download files into the Hugging Face cache (resumable) and print their paths; without file "
      "names, the whole revision (prints the snapshot directory), or the files --include / "
      "--exclude select. With --local-dir, into that folder as plain files instead, skipping "
      "files that did not change since the last download there. With HF_HUB_OFFLINE=1 nothing "
      "is sent: the answer comes from the cache (or the --local-dir folder), else exit 15");
  AddClientFlags(cmd, &f->client);
  cmd->add_option("repo_id", f->repo_id, "namespace/name")->required();
  cmd->add_option("filenames", f->filenames, "files to download");
  cmd->add_option("--include", f->include,
                  "whole revision: only files matching one of these patterns (Python fnmatch: '*' "
                  "also matches '/'; 'dir/' = everything under dir/), e.g. --include '*.json'");
  cmd->add_option("--exclude", f->exclude,
                  "whole revision: skip files matching one of these patterns");
  cmd->add_option("--repo-type,--type", f->repo_type, "model, dataset or space")
      ->capture_default_str();
  cmd->add_option("--revision", f->revision, "branch, tag or commit")->capture_default_str();
  cmd->add_option("--cache-dir", f->cache_dir, "cache directory (default: $HF_HOME/hub)");
  cmd->add_option("--local-dir", f->local_dir,
                  "download into this folder as regular files (no symlinks), with "
                  "huggingface_hub's .cache/huggingface/download/*.metadata to skip unchanged "
                  "files next time; the cache is only read");
  cmd->add_flag("--force-download", f->force, "download even when cached");
  cmd->add_flag("--no-xet", f->client.no_xet,
                "GET Xet-stored files as plain bytes instead of rebuilding them from xorbs");
  cmd->add_option("--max-workers", f->max_workers, "files downloaded at once (whole revision)")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  return [f] { return RunClient(f->client, [&] { return Download(*f); }); };
}

}  // namespace spacehub::cli
