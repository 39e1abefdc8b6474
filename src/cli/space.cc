// `spacehub space …`: Space settings and runtime — secrets, variables, hardware, sleep, pause,
// restart, storage, runtime, wait, logs, duplicate — in the shape of `hf spaces`.
#include <iostream>

#include "cli/client_common.h"
#include "cli/commands.h"

namespace spacehub::cli {
namespace {

struct SpaceFlags {
  ClientFlags client;
  std::string repo_id, key, value, description, flavor, tier, to_id, hardware, storage;
  int64_t seconds = 0;
  int64_t sleep_time = 0;
  bool factory = false, private_repo = false, exist_ok = false, build_log = false, follow = false;
  double timeout = 300, interval = 1;
};

void PrintRuntime(const SpaceFlags& f, const SpaceRuntime& rt) {
  if (f.client.json) {
    PrintJson(RuntimeJson(rt));
    return;
  }
  std::cout << "stage: " << rt.stage_name << "\nhardware: " << rt.hardware.value_or("-")
            << "\nrequested hardware: " << rt.requested_hardware.value_or("-")
            << "\nsleep time: " << (rt.sleep_time ? std::to_string(*rt.sleep_time) + " s" : "-")
            << "\nstorage: " << rt.storage.value_or("-") << "\n";
}

void PrintVariables(const SpaceFlags& f, const std::vector<SpaceVariable>& vars) {
  if (f.client.json) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& v : vars) {
      j[v.key] = {{"value", v.value}};
      if (!v.description.empty()) j[v.key]["description"] = v.description;
    }
    PrintJson(j);
    return;
  }
  for (const auto& v : vars) std::cout << v.key << "=" << v.value << "\n";
}

// Secret values from stdin when not on the command line (argv is visible to other users).
std::string ValueOrStdin(const std::string& value) {
  if (!value.empty()) return value;
  std::string line;
  std::getline(std::cin, line);
  return line;
}

CLI::App* Leaf(CLI::App* parent, const char* name, const char* help, SpaceFlags* f) {
  CLI::App* c = parent->add_subcommand(name, help);
  c->fallthrough();
  c->add_option("repo_id", f->repo_id, "namespace/name of the Space")->required();
  return c;
}

// Each registered subcommand and what it does with the client when it was the one parsed.
using Runner = std::function<void(HubClient&, const SpaceFlags&)>;
using Commands = std::vector<std::pair<CLI::App*, Runner>>;

// {"key": K, "added"|"deleted": true}, or "secret K set|deleted".
void PrintSecretChange(const SpaceFlags& f, bool added) {
  if (f.client.json) {
    PrintJson({{"key", f.key}, {added ? "added" : "deleted", true}});
  } else {
    std::cout << "secret " << f.key << (added ? " set\n" : " deleted\n");
  }
}

// secrets add|delete, variables list|add|delete.
void AddSecretAndVariableCommands(CLI::App* space, SpaceFlags* f, Commands* out) {
  CLI::App* secrets = space->add_subcommand("secrets", "Add or delete Space secrets");
  secrets->require_subcommand(1);
  secrets->fallthrough();
  CLI::App* add =
      Leaf(secrets, "add", "Add or replace a secret (value from stdin when omitted)", f);
  add->add_option("key", f->key, "secret name")->required();
  add->add_option("value", f->value, "secret value (prefer stdin)");
  add->add_option("--description", f->description, "what the secret is for");
  out->emplace_back(add, [](HubClient& c, const SpaceFlags& f) {
    c.AddSpaceSecret(f.repo_id, f.key, ValueOrStdin(f.value), f.description);
    PrintSecretChange(f, /*added=*/true);
  });
  CLI::App* del = Leaf(secrets, "delete", "Delete a secret", f);
  del->add_option("key", f->key, "secret name")->required();
  out->emplace_back(del, [](HubClient& c, const SpaceFlags& f) {
    c.DeleteSpaceSecret(f.repo_id, f.key);
    PrintSecretChange(f, /*added=*/false);
  });

  CLI::App* vars = space->add_subcommand("variables", "List, add or delete Space variables");
  vars->require_subcommand(1);
  vars->fallthrough();
  out->emplace_back(Leaf(vars, "list", "List variables", f), [](HubClient& c, const SpaceFlags& f) {
    PrintVariables(f, c.GetSpaceVariables(f.repo_id));
  });
  CLI::App* var_add = Leaf(vars, "add", "Add or replace a variable", f);
  var_add->add_option("key", f->key, "variable name")->required();
  var_add->add_option("value", f->value, "variable value")->required();
  var_add->add_option("--description", f->description, "what the variable is for");
  out->emplace_back(var_add, [](HubClient& c, const SpaceFlags& f) {
    PrintVariables(f, c.AddSpaceVariable(f.repo_id, f.key, f.value, f.description));
  });
  CLI::App* var_del = Leaf(vars, "delete", "Delete a variable", f);
  var_del->add_option("key", f->key, "variable name")->required();
  out->emplace_back(var_del, [](HubClient& c, const SpaceFlags& f) {
    PrintVariables(f, c.DeleteSpaceVariable(f.repo_id, f.key));
  });
}

// hardware, sleep, pause, restart, storage request|delete.
void AddLifecycleCommands(CLI::App* space, SpaceFlags* f, Commands* out) {
  CLI::App* hw = Leaf(space, "hardware", "Request a hardware flavor (e.g. t4-medium)", f);
  hw->add_option("flavor", f->flavor, "cpu-basic, cpu-upgrade, t4-small, t4-medium, …")->required();
  hw->add_option("--sleep-time", f->sleep_time, "also set the sleep time (seconds)");
  out->emplace_back(hw, [hw](HubClient& c, const SpaceFlags& f) {
    std::optional<int64_t> st;
    if (hw->count("--sleep-time")) st = f.sleep_time;
    PrintRuntime(f, c.RequestSpaceHardware(f.repo_id, f.flavor, st));
  });
  CLI::App* sleep = Leaf(space, "sleep", "Set the sleep time after inactivity", f);
  sleep->add_option("seconds", f->seconds, "seconds; -1 = never sleep")->required();
  out->emplace_back(sleep, [](HubClient& c, const SpaceFlags& f) {
    PrintRuntime(f, c.SetSpaceSleepTime(f.repo_id, f.seconds));
  });
  out->emplace_back(
      Leaf(space, "pause", "Pause the Space until restarted", f),
      [](HubClient& c, const SpaceFlags& f) { PrintRuntime(f, c.PauseSpace(f.repo_id)); });
  CLI::App* restart = Leaf(space, "restart", "Restart (or wake) the Space", f);
  restart->add_flag("--factory", f->factory, "factory reboot: rebuild without cache");
  out->emplace_back(restart, [](HubClient& c, const SpaceFlags& f) {
    PrintRuntime(f, c.RestartSpace(f.repo_id, f.factory));
  });

  CLI::App* storage = space->add_subcommand("storage", "Request or delete persistent storage");
  storage->require_subcommand(1);
  storage->fallthrough();
  CLI::App* request = Leaf(storage, "request", "Request a storage tier", f);
  request->add_option("tier", f->tier, "small, medium or large")->required();
  out->emplace_back(request, [](HubClient& c, const SpaceFlags& f) {
    auto tier = ParseSpaceStorage(f.tier);
    if (!tier) throw LocalError(ErrorKind::kInvalidArgument, "tier must be small, medium or large");
    PrintRuntime(f, c.RequestSpaceStorage(f.repo_id, *tier));
  });
  out->emplace_back(
      Leaf(storage, "delete", "Delete the storage and its data", f),
      [](HubClient& c, const SpaceFlags& f) { PrintRuntime(f, c.DeleteSpaceStorage(f.repo_id)); });
}

// runtime, wait, logs.
void AddObserveCommands(CLI::App* space, SpaceFlags* f, Commands* out) {
  out->emplace_back(
      Leaf(space, "runtime", "Show stage, hardware, sleep time, storage", f),
      [](HubClient& c, const SpaceFlags& f) { PrintRuntime(f, c.GetSpaceRuntime(f.repo_id)); });
  CLI::App* wait = Leaf(space, "wait", "Wait until the Space leaves BUILDING/APP_STARTING", f);
  wait->add_option("--timeout", f->timeout, "seconds before giving up (exit 14)")
      ->capture_default_str();
  wait->add_option("--interval", f->interval, "seconds between polls")->capture_default_str();
  out->emplace_back(wait, [](HubClient& c, const SpaceFlags& f) {
    PrintRuntime(
        f,
        c.WaitForSpace(f.repo_id, std::chrono::milliseconds(static_cast<int64_t>(f.timeout * 1000)),
                       std::chrono::milliseconds(static_cast<int64_t>(f.interval * 1000))));
  });
  CLI::App* logs = Leaf(space, "logs", "Print the run log (or the build log) of the Space", f);
  logs->add_flag("--build", f->build_log, "the build log instead of the run log");
  logs->add_flag("-f,--follow", f->follow,
                 "keep printing until the server ends the stream (Ctrl-C to stop)");
  out->emplace_back(logs, [](HubClient& c, const SpaceFlags& f) {
    SpaceLogOptions o;
    o.build = f.build_log;
    o.follow = f.follow;
    c.StreamSpaceLogs(f.repo_id, o, [&](const SpaceLogLine& line) {
      if (f.client.json) {  // one object per line, so a reader can follow along
        std::cout << nlohmann::json{{"timestamp", line.timestamp}, {"data", line.data}}.dump()
                  << "\n";
      } else {
        std::cout << line.data;
        if (line.data.empty() || line.data.back() != '\n') std::cout << "\n";
      }
      std::cout.flush();
      return static_cast<bool>(std::cout);
    });
  });
}

void AddDuplicateCommand(CLI::App* space, SpaceFlags* f, Commands* out) {
  CLI::App* dup = space->add_subcommand("duplicate", "Duplicate a Space (with its settings)");
  dup->fallthrough();
  dup->add_option("from_id", f->repo_id, "Space to copy")->required();
  dup->add_option("to_id", f->to_id, "new namespace/name (default: yours/same name)");
  dup->add_flag("--private", f->private_repo, "make the copy private");
  dup->add_option("--hardware", f->hardware, "hardware flavor of the copy");
  dup->add_option("--storage", f->storage, "storage tier of the copy");
  dup->add_option("--sleep-time", f->sleep_time, "sleep time of the copy (seconds)");
  dup->add_flag("--exist-ok", f->exist_ok, "succeed when the target exists");
  out->emplace_back(dup, [dup](HubClient& c, const SpaceFlags& f) {
    DuplicateSpaceOptions o;
    o.to_id = f.to_id;
    if (f.private_repo) o.private_repo = true;
    o.hardware = f.hardware;
    if (!f.storage.empty()) {
      o.storage = ParseSpaceStorage(f.storage);
      if (!o.storage) throw LocalError(ErrorKind::kInvalidArgument, "bad storage tier");
    }
    if (dup->count("--sleep-time")) o.sleep_time = f.sleep_time;
    o.exist_ok = f.exist_ok;
    std::string url = c.DuplicateSpace(f.repo_id, o);
    if (f.client.json) {
      PrintJson({{"url", url}});
    } else {
      std::cout << url << "\n";
    }
  });
}

}  // namespace

Command AddSpaceCommand(CLI::App& app) {
  auto f = std::make_shared<SpaceFlags>();
  auto commands = std::make_shared<Commands>();
  CLI::App* space = app.add_subcommand("space", "Manage a Space: settings, hardware, runtime");
  space->require_subcommand(1);
  AddClientFlags(space, &f->client);
  AddSecretAndVariableCommands(space, f.get(), commands.get());
  AddLifecycleCommands(space, f.get(), commands.get());
  AddObserveCommands(space, f.get(), commands.get());
  AddDuplicateCommand(space, f.get(), commands.get());
  return [f, commands] {
    return RunClient(f->client, [&]() -> int {
      for (const auto& [cmd, run] : *commands) {
        if (!cmd->parsed()) continue;
        auto client = MakeClient(f->client, false);
        run(*client, *f);
        break;
      }
      return kExitOk;
    });
  };
}

}  // namespace spacehub::cli
