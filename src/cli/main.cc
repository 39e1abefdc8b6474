// spacehub: the hub server (`serve`), its administration on a data directory (`admin`), and later
// the client subcommands (whoami, repo, upload, download, space).
#include <cstdio>
#include <exception>

#include "cli/commands.h"
#include "cli/serve_options.h"
#include "core/log.h"

namespace {

int Run(int argc, char** argv) {
  CLI::App app{"spacehub: a self-hosted hub for models, datasets and Spaces"};
  app.require_subcommand(1);
  auto serve = spacehub::cli::AddServeCommand(app);
  auto admin = spacehub::cli::AddAdminCommand(app);
  auto hook = spacehub::cli::AddHookCommand(app);
  auto job_exec = spacehub::cli::AddJobExecCommand(app);
  auto xet_chunks = spacehub::cli::AddXetChunksCommand(app);
  auto reference = spacehub::cli::AddConfigReferenceCommand(app);
  std::pair<const char*, spacehub::cli::Command> client_commands[] = {
      {"whoami", spacehub::cli::AddWhoamiCommand(app)},
      {"repo", spacehub::cli::AddRepoCommand(app)},
      {"upload", spacehub::cli::AddUploadCommand(app)},
      {"download", spacehub::cli::AddDownloadCommand(app)},
      {"space", spacehub::cli::AddSpaceCommand(app)},
      {"jobs", spacehub::cli::AddJobsCommand(app)},
  };
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; any other parse failure is a usage error (exit 2, as
    // documented in the client subcommands' help).
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  if (app.got_subcommand("serve")) return serve();
  if (app.got_subcommand("hook")) return hook();
  if (app.got_subcommand("job-exec")) return job_exec();
  if (app.got_subcommand("xet-chunks")) return xet_chunks();
  if (app.got_subcommand("config-reference")) return reference();
  for (auto& [name, command] : client_commands) {
    if (app.got_subcommand(name)) return command();
  }
  return admin();
}

}  // namespace

int main(int argc, char** argv) {
  // A command reports its own failures; what still escapes is a bug, said once instead of an
  // abort with no message.
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "spacehub: unexpected error: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "spacehub: unexpected error\n");
  }
  return 1;
}
