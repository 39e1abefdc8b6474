// `spacehub hook pre-receive` (hidden): the push rules, run by git receive-pack through the hooks
// directory the hub writes at start-up (service::PrepareGitHttp). receive-pack passes the ref
// updates on stdin and, in the environment, the repository (GIT_DIR, cwd), the quarantine of the
// pushed objects and what the hub added (SPACEHUB_DATA_DIR, SPACEHUB_REPO_ID). Every reason to
// refuse is printed as an "error: ..." line, which git shows the pusher as "remote: error: ...";
// a non-zero exit refuses the whole push before any ref moves.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <iterator>

#include "cli/commands.h"
#include "db/metadata_store.h"
#include "service/hub.h"
#include "service/push_rules.h"

namespace spacehub::cli {
namespace {

int Fail(const std::string& message) {
  std::fprintf(stderr, "error: %s\n", message.c_str());
  return 1;
}

int PreReceive() {
  ::signal(SIGPIPE, SIG_IGN);
  const char* data_dir = std::getenv("SPACEHUB_DATA_DIR");
  const char* repo_id = std::getenv("SPACEHUB_REPO_ID");
  if (!data_dir || !repo_id) return Fail("spacehub hook: not run by the hub's receive-pack");
  std::string input((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  auto updates = service::ParseRefUpdates(input);
  if (!updates.ok()) return Fail(updates.status().message());

  service::PushContext ctx;
  const char* git_dir = std::getenv("GIT_DIR");
  ctx.git_dir = std::filesystem::absolute(git_dir ? git_dir : ".");
  ctx.repo_id = std::strtoll(repo_id, nullptr, 10);
  ctx.max_plain_file_bytes = service::HubOptions{}.lfs_threshold_bytes;
  for (const char* name :
       {"GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_QUARANTINE_PATH"}) {
    if (const char* v = std::getenv(name)) ctx.quarantine_env.emplace_back(name, v);
  }
  auto db = db::OpenSqliteStore(std::filesystem::path(data_dir) / "hub.db");
  if (!db.ok()) return Fail("cannot open the hub database: " + db.status().message());
  auto errors = service::CheckPush(**db, ctx, *updates);
  if (!errors.ok()) return Fail("cannot check the push: " + errors.status().message());
  for (const auto& e : *errors) std::fprintf(stderr, "error: %s\n", e.c_str());
  return errors->empty() ? 0 : 1;
}

}  // namespace

Command AddHookCommand(CLI::App& app) {
  CLI::App* hook = app.add_subcommand("hook", "")->group("");  // hidden: run by git, not by people
  hook->require_subcommand(1);
  hook->add_subcommand("pre-receive", "check a push before any ref moves");
  return [] { return PreReceive(); };
}

}  // namespace spacehub::cli
