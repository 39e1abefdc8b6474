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

}  // namespace

Command AddSpaceCommand(CLI::App& app) {
  auto f = std::make_shared<SpaceFlags>();
  CLI::App* space = app.add_subcommand("space", "Manage a Space: settings, hardware, runtime");
  space->require_subcommand(1);
  AddClientFlags(space, &f->client);

  CLI::App* secrets = space->add_subcommand("secrets", "Add or delete Space secrets");
  secrets->require_subcommand(1);
  secrets->fallthrough();
  CLI::App* secret_add =
      Leaf(secrets, "add", "Add or replace a secret (value from stdin when omitted)", f.get());
  secret_add->add_option("key", f->key, "secret name")->required();
  secret_add->add_option("value", f->value, "secret value (prefer stdin)");
  secret_add->add_option("--description", f->description, "what the secret is for");
  CLI::App* secret_del = Leaf(secrets, "delete", "Delete a secret", f.get());
  secret_del->add_option("key", f->key, "secret name")->required();

  CLI::App* vars = space->add_subcommand("variables", "List, add or delete Space variables");
  vars->require_subcommand(1);
  vars->fallthrough();
  CLI::App* var_list = Leaf(vars, "list", "List variables", f.get());
  CLI::App* var_add = Leaf(vars, "add", "Add or replace a variable", f.get());
  var_add->add_option("key", f->key, "variable name")->required();
  var_add->add_option("value", f->value, "variable value")->required();
  var_add->add_option("--description", f->description, "what the variable is for");
  CLI::App* var_del = Leaf(vars, "delete", "Delete a variable", f.get());
  var_del->add_option("key", f->key, "variable name")->required();

  CLI::App* hw = Leaf(space, "hardware", "Request a hardware flavor (e.g. t4-medium)", f.get());
  hw->add_option("flavor", f->flavor, "cpu-basic, cpu-upgrade, t4-small, t4-medium, …")->required();
  hw->add_option("--sleep-time", f->sleep_time, "also set the sleep time (seconds)");
  CLI::App* sleep = Leaf(space, "sleep", "Set the sleep time after inactivity", f.get());
  sleep->add_option("seconds", f->seconds, "seconds; -1 = never sleep")->required();
  CLI::App* pause = Leaf(space, "pause", "Pause the Space until restarted", f.get());
  CLI::App* restart = Leaf(space, "restart", "Restart (or wake) the Space", f.get());
  restart->add_flag("--factory", f->factory, "factory reboot: rebuild without cache");

  CLI::App* storage = space->add_subcommand("storage", "Request or delete persistent storage");
  storage->require_subcommand(1);
  storage->fallthrough();
  CLI::App* storage_req = Leaf(storage, "request", "Request a storage tier", f.get());
  storage_req->add_option("tier", f->tier, "small, medium or large")->required();
  CLI::App* storage_del = Leaf(storage, "delete", "Delete the storage and its data", f.get());

  CLI::App* runtime = Leaf(space, "runtime", "Show stage, hardware, sleep time, storage", f.get());
  CLI::App* wait =
      Leaf(space, "wait", "Wait until the Space leaves BUILDING/APP_STARTING", f.get());
  wait->add_option("--timeout", f->timeout, "seconds before giving up (exit 14)")
      ->capture_default_str();
  wait->add_option("--interval", f->interval, "seconds between polls")->capture_default_str();

  CLI::App* logs =
      Leaf(space, "logs", "Print the run log (or the build log) of the Space", f.get());
  logs->add_flag("--build", f->build_log, "the build log instead of the run log");
  logs->add_flag("-f,--follow", f->follow,
                 "keep printing until the server ends the stream (Ctrl-C to stop)");

  CLI::App* dup = space->add_subcommand("duplicate", "Duplicate a Space (with its settings)");
  dup->fallthrough();
  dup->add_option("from_id", f->repo_id, "Space to copy")->required();
  dup->add_option("to_id", f->to_id, "new namespace/name (default: yours/same name)");
  dup->add_flag("--private", f->private_repo, "make the copy private");
  dup->add_option("--hardware", f->hardware, "hardware flavor of the copy");
  dup->add_option("--storage", f->storage, "storage tier of the copy");
  dup->add_option("--sleep-time", f->sleep_time, "sleep time of the copy (seconds)");
  dup->add_flag("--exist-ok", f->exist_ok, "succeed when the target exists");

  return [=] {
    return RunClient(f->client, [&]() -> int {
      auto client = MakeClient(f->client, false);
      const std::string& id = f->repo_id;
      if (secret_add->parsed()) {
        client->AddSpaceSecret(id, f->key, ValueOrStdin(f->value), f->description);
        if (f->client.json)
          PrintJson({{"key", f->key}, {"added", true}});
        else
          std::cout << "secret " << f->key << " set\n";
      } else if (secret_del->parsed()) {
        client->DeleteSpaceSecret(id, f->key);
        if (f->client.json)
          PrintJson({{"key", f->key}, {"deleted", true}});
        else
          std::cout << "secret " << f->key << " deleted\n";
      } else if (var_list->parsed()) {
        PrintVariables(*f, client->GetSpaceVariables(id));
      } else if (var_add->parsed()) {
        PrintVariables(*f, client->AddSpaceVariable(id, f->key, f->value, f->description));
      } else if (var_del->parsed()) {
        PrintVariables(*f, client->DeleteSpaceVariable(id, f->key));
      } else if (hw->parsed()) {
        std::optional<int64_t> st;
        if (hw->count("--sleep-time")) st = f->sleep_time;
        PrintRuntime(*f, client->RequestSpaceHardware(id, f->flavor, st));
      } else if (sleep->parsed()) {
        PrintRuntime(*f, client->SetSpaceSleepTime(id, f->seconds));
      } else if (pause->parsed()) {
        PrintRuntime(*f, client->PauseSpace(id));
      } else if (restart->parsed()) {
        PrintRuntime(*f, client->RestartSpace(id, f->factory));
      } else if (storage_req->parsed()) {
        auto tier = ParseSpaceStorage(f->tier);
        if (!tier)
          throw LocalError(ErrorKind::kInvalidArgument, "tier must be small, medium or large");
        PrintRuntime(*f, client->RequestSpaceStorage(id, *tier));
      } else if (storage_del->parsed()) {
        PrintRuntime(*f, client->DeleteSpaceStorage(id));
      } else if (runtime->parsed()) {
        PrintRuntime(*f, client->GetSpaceRuntime(id));
      } else if (wait->parsed()) {
        PrintRuntime(*f, client->WaitForSpace(
                             id, std::chrono::milliseconds(static_cast<int64_t>(f->timeout * 1000)),
                             std::chrono::milliseconds(static_cast<int64_t>(f->interval * 1000))));
      } else if (logs->parsed()) {
        SpaceLogOptions o;
        o.build = f->build_log;
        o.follow = f->follow;
        client->StreamSpaceLogs(id, o, [&](const SpaceLogLine& line) {
          if (f->client.json) {  // one object per line, so a reader can follow along
            std::cout << nlohmann::json{{"timestamp", line.timestamp}, {"data", line.data}}.dump()
                      << "\n";
          } else {
            std::cout << line.data;
            if (line.data.empty() || line.data.back() != '\n') std::cout << "\n";
          }
          std::cout.flush();
          return static_cast<bool>(std::cout);
        });
      } else if (dup->parsed()) {
        DuplicateSpaceOptions o;
        o.to_id = f->to_id;
        if (f->private_repo) o.private_repo = true;
        o.hardware = f->hardware;
        if (!f->storage.empty()) {
          o.storage = ParseSpaceStorage(f->storage);
          if (!o.storage) throw LocalError(ErrorKind::kInvalidArgument, "bad storage tier");
        }
        if (dup->count("--sleep-time")) o.sleep_time = f->sleep_time;
        o.exist_ok = f->exist_ok;
        std::string url = client->DuplicateSpace(id, o);
        if (f->client.json)
          PrintJson({{"url", url}});
        else
          std::cout << url << "\n";
      }
      return kExitOk;
    });
  };
}

}  // namespace spacehub::cli
