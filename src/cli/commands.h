// The `spacehub` subcommands. Each Add* function registers one subcommand on the CLI11 app and
// returns a callback run when it was chosen; main dispatches. Called from main's thread only.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace spacehub::cli {

using Command = std::function<int()>;

Command AddServeCommand(CLI::App& app);
Command AddAdminCommand(CLI::App& app);
Command AddHookCommand(CLI::App& app);
// `job-exec` (hidden): a Slurm node runs one job's sandbox (job_exec.cc).
Command AddJobExecCommand(CLI::App& app);
// `xet-chunks` (hidden): chunk and hash a file as a Xet client does, to cross-check and time it.
Command AddXetChunksCommand(CLI::App& app);
// Client subcommands (through spacehub::client only): whoami.cc, repo.cc, transfer.cc, space.cc.
Command AddWhoamiCommand(CLI::App& app);
Command AddRepoCommand(CLI::App& app);
Command AddUploadCommand(CLI::App& app);
Command AddDownloadCommand(CLI::App& app);
Command AddSpaceCommand(CLI::App& app);
Command AddJobsCommand(CLI::App& app);  // jobs.cc, jobs_scheduled.cc

}  // namespace spacehub::cli
