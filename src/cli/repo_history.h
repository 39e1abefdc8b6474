// The git-side subcommands of `spacehub repo`: tree, files, paths-info, refs, commits, branch,
// tag, move — registered on the `repo` command by repo.cc. Called from main's thread only.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <optional>

#include "cli/client_common.h"

namespace spacehub::cli {

// Registers the subcommands under `repo` (sharing its client flags and --repo-type value) and
// returns a runner: it returns the exit code when one of them was chosen, nullopt otherwise.
// Call the runner inside RunClient (it throws client errors).
std::function<std::optional<int>()> AddRepoHistoryCommands(CLI::App* repo,
                                                           const ClientFlags* client,
                                                           std::string* repo_type);

}  // namespace spacehub::cli
