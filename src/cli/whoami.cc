// `spacehub whoami`: who the configured token belongs to.
#include <iostream>

#include "cli/client_common.h"
#include "cli/commands.h"

namespace spacehub::cli {

Command AddWhoamiCommand(CLI::App& app) {
  auto flags = std::make_shared<ClientFlags>();
  CLI::App* cmd = app.add_subcommand("whoami", "Show the user the token belongs to");
  AddClientFlags(cmd, flags.get());
  return [flags] {
    return RunClient(*flags, [&] {
      WhoAmI w = MakeClient(*flags, false)->Whoami();
      if (flags->json) {
        PrintJson(nlohmann::json::parse(w.raw_json));
      } else {
        std::cout << w.name << "\n";
        if (!w.orgs.empty()) {
          std::cout << "orgs:";
          for (const auto& o : w.orgs) std::cout << " " << o;
          std::cout << "\n";
        }
      }
      return kExitOk;
    });
  };
}

}  // namespace spacehub::cli
