// spacehub: the hub server (`serve`), its administration on a data directory (`admin`), and later
// the client subcommands.
#include "cli/commands.h"
#include "core/log.h"

int main(int argc, char** argv) {
  CLI::App app{"spacehub: a self-hosted hub for models, datasets and Spaces"};
  app.require_subcommand(1);
  auto serve = spacehub::cli::AddServeCommand(app);
  auto admin = spacehub::cli::AddAdminCommand(app);
  auto hook = spacehub::cli::AddHookCommand(app);
  CLI11_PARSE(app, argc, argv);
  if (app.got_subcommand("serve")) return serve();
  if (app.got_subcommand("hook")) return hook();
  return admin();
}
