// `spacehub admin`: administration straight on a data directory (works while the server runs:
// SQLite in WAL mode takes concurrent writers safely).
//   admin --data-dir D user create NAME [--admin]
//   admin --data-dir D user set-password NAME [--random]   (the password: stdin's first line, or
//                                                          generated and printed; ends sessions)
//   admin --data-dir D invite [--days N]   (prints a sign-up invitation code, used once)
//   admin --data-dir D org create NAME --member USER[:ROLE]...
//   admin --data-dir D org add-member ORG USER[:ROLE]
//   admin --data-dir D token create USER --role read|write [--name N]   (prints only the token)
//   admin --data-dir D hardware grant ACCOUNT FLAVOR...   (FLAVOR "*": every flavor)
//   admin --data-dir D hardware revoke ACCOUNT FLAVOR...
//   admin --data-dir D hardware grants [ACCOUNT]
//   admin --data-dir D secrets rotate-key   (new master key, then re-seals every Space secret)
//   admin --data-dir D usage [--since 30d|DATE] [--owner NAME]   (flavor-seconds and cost)
//   admin --data-dir D xet-sweep [--grace-hours 24]              (unused Xet xorbs)
#include <fmt/format.h>

#include <cstdio>
#include <iostream>
#include <string>

#include "cli/commands.h"
#include "core/crypto.h"
#include "core/time_util.h"
#include "service/hardware_grants.h"
#include "service/hub_instance.h"
#include "service/repo_service.h"
#include "service/space_service.h"
#include "service/usage_report.h"
#include "service/xet_service.h"

namespace spacehub::cli {
namespace {

struct AdminOptions {
  std::string data_dir = "./spacehub-data";
  std::string name;
  bool site_admin = false;
  std::vector<std::string> members;
  std::string member;
  std::string role = "write";
  std::string token_name = "cli";
  std::vector<std::string> flavors;
  bool random_password = false;
  int64_t invite_days = 7;
  std::string since;
};

// What the chosen admin subcommand does once the data directory is open (set by its callback).
using Action = std::shared_ptr<std::function<int(service::HubInstance&)>>;
using Options = std::shared_ptr<AdminOptions>;

int Fail(const Status& st) {
  std::fprintf(stderr, "spacehub admin: %s\n", st.message().c_str());
  switch (st.code()) {
    case Code::kInvalidArgument:
      return 2;
    case Code::kNotFound:
      return 3;
    case Code::kConflict:
      return 4;
    default:
      return 1;
  }
}

// The new password: generated (and printed) with --random, else the first line of stdin, so it
// never appears on a command line (visible to every user in `ps`) or in the shell's history.
Result<std::string> PasswordFromInput(bool random) {
  if (random) {
    std::string pw = RandomAlnum(20);
    std::printf("%s\n", pw.c_str());
    return pw;
  }
  std::string line;
  if (!std::getline(std::cin, line)) {
    return Status::InvalidArgument("Expected the new password on standard input (or --random)");
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// admin user set-password NAME [--random]
void AddSetPasswordCommand(CLI::App* user, const Options& o, const Action& action) {
  CLI::App* set = user->add_subcommand(
      "set-password", "Set a user's web password (read from stdin) and end their sessions");
  set->add_option("name", o->name, "User name")->required();
  set->add_flag("--random", o->random_password, "Generate a password and print it");
  set->callback([o, action] {
    *action = [o](service::HubInstance& h) {
      // The user must exist before a generated password is printed for them.
      auto account = h.hub().db.FindAccount(o->name);
      if (!account.ok()) return Fail(account.status());
      auto pw = PasswordFromInput(o->random_password);
      if (!pw.ok()) return Fail(pw.status());
      Status st = h.hub().sessions.SetPassword(o->name, *pw);
      if (!st.ok()) return Fail(st);
      if (!o->random_password) std::printf("password of %s set\n", account->name.c_str());
      return 0;
    };
  });
}

// admin invite [--days N]
void AddInviteCommand(CLI::App* admin, const Options& o, const Action& action) {
  CLI::App* invite = admin->add_subcommand(
      "invite", "Print an invitation code for the sign-up page (serve --signup invitation)");
  invite->add_option("--days", o->invite_days, "Days the code stays valid")
      ->check(CLI::Range(1, 365))
      ->capture_default_str();
  invite->callback([o, action] {
    *action = [o](service::HubInstance& h) {
      auto code = h.hub().sessions.CreateInvitation(db::Account{}, o->invite_days * 86400000);
      if (!code.ok()) return Fail(code.status());
      std::printf("%s\n", code->c_str());
      return 0;
    };
  });
}

// admin user create NAME [--admin]
void AddUserCommands(CLI::App* admin, const Options& o, const Action& action) {
  CLI::App* user = admin->add_subcommand("user", "Manage users");
  user->require_subcommand(1);
  CLI::App* user_create = user->add_subcommand("create", "Create a user");
  user_create->add_option("name", o->name, "User name")->required();
  user_create->add_flag("--admin", o->site_admin, "Make the user a site administrator");
  user_create->callback([o, action] {
    *action = [o](service::HubInstance& h) {
      auto r = h.hub().identity.CreateUser(o->name, o->site_admin);
      if (!r.ok()) return Fail(r.status());
      std::printf("created user %s\n", r->name.c_str());
      return 0;
    };
  });
  AddSetPasswordCommand(user, o, action);
}

// admin org create NAME --member USER[:ROLE]... ; admin org add-member ORG USER[:ROLE]
void AddOrgCommands(CLI::App* admin, const Options& o, const Action& action) {
  CLI::App* org = admin->add_subcommand("org", "Manage organizations");
  org->require_subcommand(1);
  CLI::App* org_create = org->add_subcommand("create", "Create an organization");
  org_create->add_option("name", o->name, "Organization name")->required();
  org_create->add_option("--member", o->members, "USER[:read|write|admin], repeatable");
  org_create->callback([o, action] {
    *action = [o](service::HubInstance& h) {
      auto r = h.hub().identity.CreateOrg(o->name, o->members);
      if (!r.ok()) return Fail(r.status());
      std::printf("created organization %s\n", r->name.c_str());
      return 0;
    };
  });
  CLI::App* org_add = org->add_subcommand("add-member", "Add or change a member's role");
  org_add->add_option("org", o->name, "Organization name")->required();
  org_add->add_option("member", o->member, "USER[:read|write|admin]")->required();
  org_add->callback([o, action] {
    *action = [o](service::HubInstance& h) {
      std::string user = o->member;
      db::Role role = db::Role::kWrite;
      if (auto colon = user.find(':'); colon != std::string::npos) {
        auto parsed = db::ParseRole(user.substr(colon + 1));
        if (!parsed.ok()) return Fail(parsed.status());
        role = *parsed;
        user.resize(colon);
      }
      Status st = h.hub().identity.AddMember(o->name, user, role);
      if (!st.ok()) return Fail(st);
      std::printf("%s is now %s in %s\n", user.c_str(), std::string(db::RoleName(role)).c_str(),
                  o->name.c_str());
      return 0;
    };
  });
}

// admin token create USER --role read|write [--name N]
void AddTokenCommands(CLI::App* admin, const Options& o, const Action& action) {
  CLI::App* token = admin->add_subcommand("token", "Manage access tokens");
  token->require_subcommand(1);
  CLI::App* token_create = token->add_subcommand("create", "Create a token (printed once)");
  token_create->add_option("user", o->name, "User the token belongs to")->required();
  token_create->add_option("--role", o->role, "read or write")
      ->check(CLI::IsMember({"read", "write"}))
      ->capture_default_str();
  token_create->add_option("--name", o->token_name, "A name to recognise the token by");
  token_create->callback([o, action] {
    *action = [o](service::HubInstance& h) {
      auto role = db::ParseRole(o->role);
      if (!role.ok()) return Fail(role.status());
      auto r = h.hub().identity.CreateToken(o->name, *role, o->token_name);
      if (!r.ok()) return Fail(r.status());
      std::printf("%s\n", r->text.c_str());
      return 0;
    };
  });
}

// admin hardware grant|revoke ACCOUNT FLAVOR... ; admin hardware grants [ACCOUNT]
void AddHardwareCommands(CLI::App* admin, const Options& o, const Action& action) {
  CLI::App* hw = admin->add_subcommand("hardware", "Who may use which Space hardware flavor");
  hw->require_subcommand(1);
  for (bool granted : {true, false}) {
    CLI::App* cmd = hw->add_subcommand(
        granted ? "grant" : "revoke",
        granted ? "Allow a user or organization to use flavors" : "Withdraw flavor grants");
    cmd->add_option("account", o->name, "User or organization")->required();
    cmd->add_option("flavor", o->flavors, "Flavor names from hardware.yaml, or '*' for all")
        ->required();
    cmd->callback([o, action, granted] {
      *action = [o, granted](service::HubInstance& h) {
        auto account = service::SetHardwareGrants(h.hub(), o->name, o->flavors, granted);
        if (!account.ok()) return Fail(account.status());
        for (const auto& f : o->flavors) {
          std::printf("%s %s %s\n", granted ? "granted" : "revoked", f.c_str(),
                      account->name.c_str());
        }
        return 0;
      };
    });
  }
  CLI::App* hw_list = hw->add_subcommand("grants", "List grants (of one account, or all)");
  hw_list->add_option("account", o->name, "User or organization");
  hw_list->callback([o, action] {
    *action = [o](service::HubInstance& h) {
      std::optional<int64_t> id;
      if (!o->name.empty()) {
        auto account = h.hub().db.FindAccount(o->name);
        if (!account.ok()) return Fail(account.status());
        id = account->id;
      }
      auto grants = h.hub().db.ListHardwareGrants(id);
      if (!grants.ok()) return Fail(grants.status());
      for (const auto& g : *grants) std::printf("%s %s\n", g.account.c_str(), g.flavor.c_str());
      return 0;
    };
  });
}

// admin secrets rotate-key
void AddSecretsCommands(CLI::App* admin, const Action& action) {
  CLI::App* secrets = admin->add_subcommand("secrets", "Space secrets at rest");
  secrets->require_subcommand(1);
  CLI::App* rotate = secrets->add_subcommand(
      "rotate-key", "Add a new master key and re-seal every secret with it");
  rotate->callback([action] {
    *action = [](service::HubInstance& h) {
      auto id = h.hub().secrets.Rotate();
      if (!id.ok()) return Fail(id.status());
      service::RepoService repos(h.hub());
      service::SpaceService spaces(h.hub(), repos);
      auto n = spaces.ResealSecrets();
      if (!n.ok()) return Fail(n.status());
      std::printf("master key %lld active; %lld secrets re-sealed\n", static_cast<long long>(*id),
                  static_cast<long long>(*n));
      return 0;
    };
  });
}

// admin usage [--since S] [--owner NAME]: one line per owner, flavor and kind.
void AddUsageCommand(CLI::App* admin, const Options& o, const Action& action) {
  CLI::App* usage = admin->add_subcommand(
      "usage", "Hardware used by Spaces and Jobs: flavor-seconds per owner, priced per flavor");
  usage->add_option("--since", o->since, "From a date (2026-11-01) or a span back (30d, 12h)");
  usage->add_option("--owner", o->name, "Only this user or organization");
  usage->callback([o, action] {
    *action = [o](service::HubInstance& h) {
      const int64_t now = NowMillis();
      auto since = service::ParseSince(o->since, now);
      if (!since.ok()) return Fail(since.status());
      db::UsageQuery q;
      q.since = *since;
      if (!o->name.empty()) {
        auto account = h.hub().db.FindAccount(o->name);
        if (!account.ok()) return Fail(account.status());
        q.owner_id = account->id;
      }
      auto records = h.hub().db.usage().ListUsage(q);
      if (!records.ok()) return Fail(records.status());
      auto lines = service::SummarizeUsage(*records, *h.hub().hardware.Get(), *since, now);
      std::printf("%-24s %-18s %-6s %6s %12s %10s\n", "OWNER", "FLAVOR", "KIND", "RUNS", "SECONDS",
                  "COST");
      double total = 0;
      for (const auto& l : lines) {
        std::string cost = l.cost ? fmt::format("{:.4f}", *l.cost) : "-";
        total += l.cost.value_or(0);
        std::printf("%-24s %-18s %-6s %6lld %12lld %10s\n", l.owner.c_str(), l.flavor.c_str(),
                    l.kind.c_str(), static_cast<long long>(l.runs),
                    static_cast<long long>(l.seconds), cost.c_str());
      }
      std::printf("total cost: %.4f\n", total);
      return 0;
    };
  });
}

// admin xet-sweep [--grace-hours N]: deletes xorbs that no file of a live repo uses.
void AddXetSweepCommand(CLI::App* admin, const Action& action) {
  auto grace = std::make_shared<int64_t>(24);
  CLI::App* sweep = admin->add_subcommand(
      "xet-sweep",
      "Delete Xet xorbs no file of a live repository uses (deleted repos, abandoned "
      "uploads)");
  sweep
      ->add_option("--grace-hours", *grace,
                   "Keep xorbs younger than this (uploads whose shard is still to come)")
      ->capture_default_str();
  sweep->callback([grace, action] {
    *action = [grace](service::HubInstance& h) {
      service::XetService xet(h.hub());
      auto n = xet.Sweep(NowMillis() / 1000 - *grace * 3600);
      if (!n.ok()) return Fail(n.status());
      (void)h.hub().xorbs.CleanTemp();
      std::printf("%zu xorbs deleted\n", *n);
      return 0;
    };
  });
}

}  // namespace

Command AddAdminCommand(CLI::App& app) {
  auto o = std::make_shared<AdminOptions>();
  auto action = std::make_shared<std::function<int(service::HubInstance&)>>();
  CLI::App* admin = app.add_subcommand("admin", "Administer users, organizations and tokens");
  admin->add_option("--data-dir", o->data_dir, "The hub's data directory")
      ->envname("SPACEHUB_DATA_DIR")
      ->capture_default_str();
  admin->require_subcommand(1);

  AddUserCommands(admin, o, action);
  AddOrgCommands(admin, o, action);
  AddTokenCommands(admin, o, action);
  AddHardwareCommands(admin, o, action);
  AddSecretsCommands(admin, action);
  AddInviteCommand(admin, o, action);
  AddUsageCommand(admin, o, action);
  AddXetSweepCommand(admin, action);

  return [o, action] {
    auto instance = service::HubInstance::Open(o->data_dir, service::HubOptions{});
    if (!instance.ok()) return Fail(instance.status());
    return (*action)(**instance);
  };
}

}  // namespace spacehub::cli
