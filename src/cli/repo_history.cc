// `spacehub repo tree|files|paths-info|refs|commits|branch|tag|move` (spec §2.3, §7), in the
// shape of `hf repo branch …` / `hf repo tag …`; every one prints JSON with --json.
#include "cli/repo_history.h"

#include <iostream>
#include <memory>

namespace spacehub::cli {
namespace {

struct HistoryFlags {
  std::string repo_id, to_id, revision = "main", path, name, message, starting_point;
  std::vector<std::string> paths;
  bool recursive = false, expand = false, exist_ok = false, include_prs = false;
  int limit = 0;
};

nlohmann::json EntryJson(const RepoTreeEntry& e) {
  auto j = nlohmann::json::parse(e.raw_json, nullptr, false);
  return j.is_discarded() ? nlohmann::json::object() : j;
}

void PrintEntries(bool json, const std::vector<RepoTreeEntry>& entries) {
  if (json) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& e : entries) a.push_back(EntryJson(e));
    PrintJson(a);
    return;
  }
  for (const auto& e : entries) {
    if (e.is_directory) {
      std::cout << e.path << "/\n";
    } else {
      std::cout << e.path << "\t" << e.size << (e.lfs_sha256.empty() ? "" : "\tlfs") << "\n";
    }
  }
}

nlohmann::json RefsJson(const std::vector<GitRef>& refs) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& r : refs) {
    a.push_back({{"name", r.name}, {"ref", r.ref}, {"targetCommit", r.target_commit}});
  }
  return a;
}

void Done(bool json, const nlohmann::json& j, const std::string& text) {
  if (json) {
    PrintJson(j);
  } else {
    std::cout << text << "\n";
  }
}

CLI::App* Sub(CLI::App* parent, const char* name, const char* help, HistoryFlags* f,
              std::string* repo_type) {
  CLI::App* c = parent->add_subcommand(name, help);
  c->fallthrough();
  c->add_option("repo_id", f->repo_id, "namespace/name")->required();
  c->add_option("--repo-type,--type", *repo_type, "model, dataset or space")->capture_default_str();
  return c;
}

}  // namespace

std::function<std::optional<int>()> AddRepoHistoryCommands(CLI::App* repo,
                                                           const ClientFlags* client,
                                                           std::string* repo_type) {
  auto f = std::make_shared<HistoryFlags>();
  auto rev = [&](CLI::App* c) {
    c->add_option("--revision", f->revision, "branch, tag or commit")->capture_default_str();
  };
  CLI::App* tree =
      Sub(repo, "tree", "List the files and folders at a path of a revision", f.get(), repo_type);
  rev(tree);
  tree->add_option("--path", f->path, "folder in the repo (default: the root)");
  tree->add_flag("--recursive,-r", f->recursive, "list every level below");
  tree->add_flag("--expand", f->expand, "add each entry's last commit");
  CLI::App* files = Sub(repo, "files", "List every file path of a revision", f.get(), repo_type);
  rev(files);
  CLI::App* info = Sub(repo, "paths-info", "Show the entries for some paths", f.get(), repo_type);
  rev(info);
  info->add_option("paths", f->paths, "paths in the repo")->required();
  info->add_flag("--expand", f->expand, "add each entry's last commit");
  CLI::App* refs = Sub(repo, "refs", "List branches and tags", f.get(), repo_type);
  refs->add_flag("--include-prs", f->include_prs, "also list pull-request refs");
  CLI::App* commits = Sub(repo, "commits", "List commits, newest first", f.get(), repo_type);
  rev(commits);
  commits->add_option("--limit", f->limit, "at most this many");

  CLI::App* branch = repo->add_subcommand("branch", "Create or delete a branch");
  branch->require_subcommand(1);
  branch->fallthrough();
  CLI::App* branch_create = Sub(branch, "create", "Create a branch", f.get(), repo_type);
  branch_create->add_option("branch", f->name, "branch name")->required();
  branch_create->add_option("--revision", f->starting_point,
                            "where the branch starts (default: main's head)");
  branch_create->add_flag("--exist-ok", f->exist_ok, "succeed when it already exists");
  CLI::App* branch_delete = Sub(branch, "delete", "Delete a branch", f.get(), repo_type);
  branch_delete->add_option("branch", f->name, "branch name")->required();

  CLI::App* tag = repo->add_subcommand("tag", "Create, delete or list tags");
  tag->require_subcommand(1);
  tag->fallthrough();
  CLI::App* tag_create = Sub(tag, "create", "Tag a revision", f.get(), repo_type);
  tag_create->add_option("tag", f->name, "tag name")->required();
  rev(tag_create);
  tag_create->add_option("-m,--message", f->message, "annotation (default: lightweight tag)");
  tag_create->add_flag("--exist-ok", f->exist_ok, "succeed when it already exists");
  CLI::App* tag_delete = Sub(tag, "delete", "Delete a tag", f.get(), repo_type);
  tag_delete->add_option("tag", f->name, "tag name")->required();
  CLI::App* tag_list = Sub(tag, "list", "List tags", f.get(), repo_type);

  CLI::App* move = Sub(repo, "move", "Rename or transfer a repository", f.get(), repo_type);
  move->add_option("to_id", f->to_id, "new namespace/name")->required();

  return [=]() -> std::optional<int> {
    const bool json = client->json;
    CLI::App* chosen = nullptr;
    for (CLI::App* c : {tree, files, info, refs, commits, branch_create, branch_delete, tag_create,
                        tag_delete, tag_list, move}) {
      if (c->parsed()) chosen = c;
    }
    if (!chosen) return std::nullopt;
    RepoType type = RepoTypeFlag(*repo_type);
    auto hub = MakeClient(*client, false);
    const std::string& id = f->repo_id;
    if (chosen == tree) {
      TreeOptions o;
      o.type = type;
      o.revision = f->revision;
      o.path_in_repo = f->path;
      o.recursive = f->recursive;
      o.expand = f->expand;
      PrintEntries(json, hub->ListRepoTree(id, o));
    } else if (chosen == files) {
      auto paths = hub->ListRepoFiles(id, type, f->revision);
      if (json) {
        PrintJson(paths);
      } else {
        for (const auto& p : paths) std::cout << p << "\n";
      }
    } else if (chosen == info) {
      PrintEntries(json, hub->GetPathsInfo(id, f->paths, type, f->revision, f->expand));
    } else if (chosen == refs || chosen == tag_list) {
      GitRefs r = hub->ListRepoRefs(id, type, f->include_prs);
      if (chosen == tag_list) {
        if (json) {
          PrintJson(RefsJson(r.tags));
        } else {
          for (const auto& t : r.tags) std::cout << t.name << "\t" << t.target_commit << "\n";
        }
      } else if (json) {
        nlohmann::json j = {{"branches", RefsJson(r.branches)},
                            {"converts", RefsJson(r.converts)},
                            {"tags", RefsJson(r.tags)}};
        if (f->include_prs) j["pullRequests"] = RefsJson(r.pull_requests);
        PrintJson(j);
      } else {
        for (const auto& b : r.branches)
          std::cout << "branch\t" << b.name << "\t" << b.target_commit << "\n";
        for (const auto& t : r.tags)
          std::cout << "tag\t" << t.name << "\t" << t.target_commit << "\n";
        for (const auto& p : r.pull_requests)
          std::cout << "pr\t" << p.name << "\t" << p.target_commit << "\n";
      }
    } else if (chosen == commits) {
      auto list = hub->ListRepoCommits(id, type, f->revision, f->limit);
      if (json) {
        nlohmann::json a = nlohmann::json::array();
        for (const auto& c : list) {
          a.push_back({{"id", c.id},
                       {"authors", c.authors},
                       {"date", c.date},
                       {"title", c.title},
                       {"message", c.message}});
        }
        PrintJson(a);
      } else {
        for (const auto& c : list)
          std::cout << c.id.substr(0, 12) << "  " << c.date << "  " << c.title << "\n";
      }
    } else if (chosen == branch_create) {
      hub->CreateBranch(id, f->name, type, f->starting_point, f->exist_ok);
      Done(json, {{"branch", f->name}, {"created", true}}, "branch " + f->name + " created");
    } else if (chosen == branch_delete) {
      hub->DeleteBranch(id, f->name, type);
      Done(json, {{"branch", f->name}, {"deleted", true}}, "branch " + f->name + " deleted");
    } else if (chosen == tag_create) {
      hub->CreateTag(id, f->name, type, f->revision, f->message, f->exist_ok);
      Done(json, {{"tag", f->name}, {"created", true}}, "tag " + f->name + " created");
    } else if (chosen == tag_delete) {
      hub->DeleteTag(id, f->name, type);
      Done(json, {{"tag", f->name}, {"deleted", true}}, "tag " + f->name + " deleted");
    } else if (chosen == move) {
      hub->MoveRepo(id, f->to_id, type);
      Done(json, {{"from", id}, {"to", f->to_id}}, "moved " + id + " to " + f->to_id);
    }
    return kExitOk;
  };
}

}  // namespace spacehub::cli
