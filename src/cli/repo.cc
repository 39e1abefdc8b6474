// `spacehub repo create|delete|info|list`: repository lifecycle, in the shape of `hf repo`; the
// git-side subcommands (tree, refs, branch, tag, move…) live in repo_history.cc.
#include <iostream>

#include "cli/client_common.h"
#include "cli/commands.h"
#include "cli/repo_history.h"

namespace spacehub::cli {
namespace {

struct RepoFlags {
  ClientFlags client;
  std::string repo_id;
  std::string repo_type = "model";
  // create
  bool private_repo = false;
  bool exist_ok = false;
  std::string space_sdk;
  std::string space_hardware;
  std::string space_storage;
  int64_t space_sleep_time = 0;
  // delete
  bool missing_ok = false;
  // info
  std::string revision;
  // list
  std::string author;
  std::string search;
  int limit = 0;
};

void AddTypeFlag(CLI::App* cmd, RepoFlags* f) {
  cmd->add_option("--repo-type,--type", f->repo_type, "model, dataset or space")
      ->capture_default_str();
}

int Create(const RepoFlags& f) {
  CreateRepoOptions o;
  o.type = RepoTypeFlag(f.repo_type);
  o.private_repo = f.private_repo;
  o.exist_ok = f.exist_ok;
  o.space_sdk = f.space_sdk;
  if (o.type == RepoType::kSpace && o.space_sdk.empty()) o.space_sdk = "gradio";
  o.space_hardware = f.space_hardware;
  if (!f.space_storage.empty()) {
    o.space_storage = ParseSpaceStorage(f.space_storage);
    if (!o.space_storage) {
      throw LocalError(ErrorKind::kInvalidArgument, "storage must be small, medium or large");
    }
  }
  if (f.space_sleep_time != 0) o.space_sleep_time = f.space_sleep_time;
  std::string url = MakeClient(f.client, false)->CreateRepo(f.repo_id, o);
  if (f.client.json) {
    PrintJson({{"url", url}, {"repo_id", f.repo_id}, {"repo_type", RepoTypeName(o.type)}});
  } else {
    std::cout << url << "\n";
  }
  return kExitOk;
}

int Delete(const RepoFlags& f) {
  MakeClient(f.client, false)->DeleteRepo(f.repo_id, RepoTypeFlag(f.repo_type), f.missing_ok);
  if (f.client.json) {
    PrintJson({{"deleted", f.repo_id}});
  } else {
    std::cout << "deleted " << f.repo_id << "\n";
  }
  return kExitOk;
}

int Info(const RepoFlags& f) {
  RepoInfo info =
      MakeClient(f.client, false)->GetRepoInfo(f.repo_id, RepoTypeFlag(f.repo_type), f.revision);
  if (f.client.json) {
    PrintJson(nlohmann::json::parse(info.raw_json));
    return kExitOk;
  }
  std::cout << "id: " << info.id << "\nsha: " << info.sha
            << "\nprivate: " << (info.private_repo ? "yes" : "no") << "\n";
  if (!info.last_modified.empty()) std::cout << "last modified: " << info.last_modified << "\n";
  if (!info.sdk.empty()) std::cout << "sdk: " << info.sdk << "\n";
  if (!info.runtime_stage_name.empty()) std::cout << "stage: " << info.runtime_stage_name << "\n";
  std::cout << "files: " << info.siblings.size() << "\n";
  for (const auto& s : info.siblings) {
    std::cout << "  " << s.path;
    if (s.size)
      std::cout << " (" << *s.size << " bytes" << (s.lfs_sha256.empty() ? "" : ", lfs") << ")";
    std::cout << "\n";
  }
  return kExitOk;
}

int List(const RepoFlags& f) {
  auto repos = MakeClient(f.client, false)
                   ->ListRepos(RepoTypeFlag(f.repo_type), f.author, f.search, f.limit);
  if (f.client.json) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& r : repos) a.push_back(nlohmann::json::parse(r.raw_json));
    PrintJson(a);
  } else {
    for (const auto& r : repos) std::cout << r.id << "\n";
  }
  return kExitOk;
}

}  // namespace

Command AddRepoCommand(CLI::App& app) {
  auto f = std::make_shared<RepoFlags>();
  CLI::App* repo = app.add_subcommand("repo", "Create, delete, inspect and list repositories");
  repo->require_subcommand(1);
  AddClientFlags(repo, &f->client);

  CLI::App* create = repo->add_subcommand("create", "Create a model, dataset or Space repository");
  create->add_option("repo_id", f->repo_id, "namespace/name (or name: your namespace)")->required();
  AddTypeFlag(create, f.get());
  create->add_flag("--private", f->private_repo, "make the repository private");
  create->add_flag("--exist-ok", f->exist_ok, "succeed when it already exists");
  create->add_option("--space-sdk,--space_sdk", f->space_sdk,
                     "Space SDK: gradio (default), streamlit, docker, static");
  create->add_option("--space-hardware", f->space_hardware,
                     "Space hardware flavor, e.g. cpu-upgrade");
  create->add_option("--space-storage", f->space_storage,
                     "persistent storage: small, medium, large");
  create->add_option("--space-sleep-time", f->space_sleep_time,
                     "seconds of inactivity before sleep");

  CLI::App* del = repo->add_subcommand("delete", "Delete a repository (cannot be undone)");
  del->add_option("repo_id", f->repo_id, "namespace/name")->required();
  AddTypeFlag(del, f.get());
  del->add_flag("--missing-ok", f->missing_ok, "succeed when it does not exist");

  CLI::App* info = repo->add_subcommand("info", "Show a repository's metadata and files");
  info->add_option("repo_id", f->repo_id, "namespace/name")->required();
  AddTypeFlag(info, f.get());
  info->add_option("--revision", f->revision, "branch, tag or commit");

  CLI::App* list = repo->add_subcommand("list", "List repositories of a type");
  AddTypeFlag(list, f.get());
  list->add_option("--author", f->author, "only this user's or organization's");
  list->add_option("--search", f->search, "only names containing this");
  list->add_option("--limit", f->limit, "at most this many");

  for (CLI::App* sub : {create, del, info, list}) sub->fallthrough();
  auto history = AddRepoHistoryCommands(repo, &f->client, &f->repo_type);
  return [f, create, del, info, list, history] {
    return RunClient(f->client, [&] {
      if (auto code = history()) return *code;
      if (create->parsed()) return Create(*f);
      if (del->parsed()) return Delete(*f);
      if (info->parsed()) return Info(*f);
      if (list->parsed()) return List(*f);
      return static_cast<int>(kExitUsage);
    });
  };
}

}  // namespace spacehub::cli
