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

void AddRevision(CLI::App* c, HistoryFlags* f) {
  c->add_option("--revision", f->revision, "branch, tag or commit")->capture_default_str();
}

// What a chosen subcommand runs with.
struct Run {
  HubClient& hub;
  RepoType type;
  const HistoryFlags& f;
  bool json;
};
// Each registered subcommand and what it does when it was the one parsed.
using Commands = std::vector<std::pair<CLI::App*, std::function<void(const Run&)>>>;

void PrintRefs(const Run& r, const GitRefs& refs) {
  if (r.json) {
    nlohmann::json j = {{"branches", RefsJson(refs.branches)},
                        {"converts", RefsJson(refs.converts)},
                        {"tags", RefsJson(refs.tags)}};
    if (r.f.include_prs) j["pullRequests"] = RefsJson(refs.pull_requests);
    PrintJson(j);
    return;
  }
  for (const auto& b : refs.branches) {
    std::cout << "branch\t" << b.name << "\t" << b.target_commit << "\n";
  }
  for (const auto& t : refs.tags) std::cout << "tag\t" << t.name << "\t" << t.target_commit << "\n";
  for (const auto& p : refs.pull_requests) {
    std::cout << "pr\t" << p.name << "\t" << p.target_commit << "\n";
  }
}

void PrintCommits(const Run& r, const std::vector<GitCommit>& list) {
  if (!r.json) {
    for (const auto& c : list) {
      std::cout << c.id.substr(0, 12) << "  " << c.date << "  " << c.title << "\n";
    }
    return;
  }
  nlohmann::json a = nlohmann::json::array();
  for (const auto& c : list) {
    a.push_back({{"id", c.id},
                 {"authors", c.authors},
                 {"date", c.date},
                 {"title", c.title},
                 {"message", c.message}});
  }
  PrintJson(a);
}

// tree, files, paths-info, refs, commits: reading a revision.
void AddReadCommands(CLI::App* repo, HistoryFlags* f, std::string* repo_type, Commands* out) {
  CLI::App* tree =
      Sub(repo, "tree", "List the files and folders at a path of a revision", f, repo_type);
  AddRevision(tree, f);
  tree->add_option("--path", f->path, "folder in the repo (default: the root)");
  tree->add_flag("--recursive,-r", f->recursive, "list every level below");
  tree->add_flag("--expand", f->expand, "add each entry's last commit");
  out->emplace_back(tree, [](const Run& r) {
    TreeOptions o;
    o.type = r.type;
    o.revision = r.f.revision;
    o.path_in_repo = r.f.path;
    o.recursive = r.f.recursive;
    o.expand = r.f.expand;
    PrintEntries(r.json, r.hub.ListRepoTree(r.f.repo_id, o));
  });
  CLI::App* files = Sub(repo, "files", "List every file path of a revision", f, repo_type);
  AddRevision(files, f);
  out->emplace_back(files, [](const Run& r) {
    auto paths = r.hub.ListRepoFiles(r.f.repo_id, r.type, r.f.revision);
    if (r.json) {
      PrintJson(paths);
    } else {
      for (const auto& p : paths) std::cout << p << "\n";
    }
  });
  CLI::App* info = Sub(repo, "paths-info", "Show the entries for some paths", f, repo_type);
  AddRevision(info, f);
  info->add_option("paths", f->paths, "paths in the repo")->required();
  info->add_flag("--expand", f->expand, "add each entry's last commit");
  out->emplace_back(info, [](const Run& r) {
    PrintEntries(r.json,
                 r.hub.GetPathsInfo(r.f.repo_id, r.f.paths, r.type, r.f.revision, r.f.expand));
  });
  CLI::App* refs = Sub(repo, "refs", "List branches and tags", f, repo_type);
  refs->add_flag("--include-prs", f->include_prs, "also list pull-request refs");
  out->emplace_back(refs, [](const Run& r) {
    PrintRefs(r, r.hub.ListRepoRefs(r.f.repo_id, r.type, r.f.include_prs));
  });
  CLI::App* commits = Sub(repo, "commits", "List commits, newest first", f, repo_type);
  AddRevision(commits, f);
  commits->add_option("--limit", f->limit, "at most this many");
  out->emplace_back(commits, [](const Run& r) {
    PrintCommits(r, r.hub.ListRepoCommits(r.f.repo_id, r.type, r.f.revision, r.f.limit));
  });
}

// branch create|delete.
void AddBranchCommands(CLI::App* repo, HistoryFlags* f, std::string* repo_type, Commands* out) {
  CLI::App* branch = repo->add_subcommand("branch", "Create or delete a branch");
  branch->require_subcommand(1);
  branch->fallthrough();
  CLI::App* create = Sub(branch, "create", "Create a branch", f, repo_type);
  create->add_option("branch", f->name, "branch name")->required();
  create->add_option("--revision", f->starting_point,
                     "where the branch starts (default: main's head)");
  create->add_flag("--exist-ok", f->exist_ok, "succeed when it already exists");
  out->emplace_back(create, [](const Run& r) {
    r.hub.CreateBranch(r.f.repo_id, r.f.name, r.type, r.f.starting_point, r.f.exist_ok);
    Done(r.json, {{"branch", r.f.name}, {"created", true}}, "branch " + r.f.name + " created");
  });
  CLI::App* remove = Sub(branch, "delete", "Delete a branch", f, repo_type);
  remove->add_option("branch", f->name, "branch name")->required();
  out->emplace_back(remove, [](const Run& r) {
    r.hub.DeleteBranch(r.f.repo_id, r.f.name, r.type);
    Done(r.json, {{"branch", r.f.name}, {"deleted", true}}, "branch " + r.f.name + " deleted");
  });
}

// tag create|delete|list.
void AddTagCommands(CLI::App* repo, HistoryFlags* f, std::string* repo_type, Commands* out) {
  CLI::App* tag = repo->add_subcommand("tag", "Create, delete or list tags");
  tag->require_subcommand(1);
  tag->fallthrough();
  CLI::App* create = Sub(tag, "create", "Tag a revision", f, repo_type);
  create->add_option("tag", f->name, "tag name")->required();
  AddRevision(create, f);
  create->add_option("-m,--message", f->message, "annotation (default: lightweight tag)");
  create->add_flag("--exist-ok", f->exist_ok, "succeed when it already exists");
  out->emplace_back(create, [](const Run& r) {
    r.hub.CreateTag(r.f.repo_id, r.f.name, r.type, r.f.revision, r.f.message, r.f.exist_ok);
    Done(r.json, {{"tag", r.f.name}, {"created", true}}, "tag " + r.f.name + " created");
  });
  CLI::App* remove = Sub(tag, "delete", "Delete a tag", f, repo_type);
  remove->add_option("tag", f->name, "tag name")->required();
  out->emplace_back(remove, [](const Run& r) {
    r.hub.DeleteTag(r.f.repo_id, r.f.name, r.type);
    Done(r.json, {{"tag", r.f.name}, {"deleted", true}}, "tag " + r.f.name + " deleted");
  });
  CLI::App* list = Sub(tag, "list", "List tags", f, repo_type);
  out->emplace_back(list, [](const Run& r) {
    GitRefs refs = r.hub.ListRepoRefs(r.f.repo_id, r.type, r.f.include_prs);
    if (r.json) {
      PrintJson(RefsJson(refs.tags));
    } else {
      for (const auto& t : refs.tags) std::cout << t.name << "\t" << t.target_commit << "\n";
    }
  });
}

}  // namespace

std::function<std::optional<int>()> AddRepoHistoryCommands(CLI::App* repo,
                                                           const ClientFlags* client,
                                                           std::string* repo_type) {
  auto f = std::make_shared<HistoryFlags>();
  auto commands = std::make_shared<Commands>();
  AddReadCommands(repo, f.get(), repo_type, commands.get());
  AddBranchCommands(repo, f.get(), repo_type, commands.get());
  AddTagCommands(repo, f.get(), repo_type, commands.get());
  CLI::App* move = Sub(repo, "move", "Rename or transfer a repository", f.get(), repo_type);
  move->add_option("to_id", f->to_id, "new namespace/name")->required();
  commands->emplace_back(move, [](const Run& r) {
    r.hub.MoveRepo(r.f.repo_id, r.f.to_id, r.type);
    Done(r.json, {{"from", r.f.repo_id}, {"to", r.f.to_id}},
         "moved " + r.f.repo_id + " to " + r.f.to_id);
  });

  return [=]() -> std::optional<int> {
    for (const auto& [app, run] : *commands) {
      if (!app->parsed()) continue;
      auto hub = MakeClient(*client, false);
      run(Run{*hub, RepoTypeFlag(*repo_type), *f, client->json});
      return kExitOk;
    }
    return std::nullopt;
  };
}

}  // namespace spacehub::cli
