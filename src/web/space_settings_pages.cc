// A Space's Settings tab and its forms, for those who may manage the Space (write access on its
// owner). Every form is one call of the same service the JSON API calls, so rules (grants, the
// cpu-basic sleep rule, no lowering of storage, capacity) hold here exactly as there.
//   GET  /spaces/{ns}/{name}/settings
//   POST /spaces/{ns}/{name}/settings/{action}: hardware, sleep, storage, storage-delete, secret,
//        secret-delete, variable, variable-delete, pause, restart, factory-rebuild, duplicate,
//        visibility, move, delete
#include <map>

#include "web/format.h"
#include "web/page.h"
#include "web/repo_view.h"
#include "web/routes.h"
#include "web/space_view.h"

namespace spacehub::web {
namespace {

// Sleep times the picker offers (seconds; -1: never), as the Hub's settings do.
constexpr std::pair<int64_t, const char*> kSleepChoices[] = {
    {300, "5 minutes"},  {900, "15 minutes"},  {3600, "1 hour"}, {36000, "10 hours"},
    {86400, "24 hours"}, {172800, "48 hours"}, {-1, "Never"}};
constexpr const char* kStorageTiers[] = {"small", "medium", "large"};

nlohmann::json FlavorItems(const WebContext& ctx, const service::SpaceRuntimeView& rt) {
  nlohmann::json out = nlohmann::json::array();
  auto catalog = ctx.hub().hardware.Get();
  for (const auto& f : catalog->flavors) {
    std::string spec = std::to_string(f.vcpu) + " vCPU · " + std::to_string(f.memory_gb) + " GB";
    if (f.gpu_count > 0) {
      spec += " · " + std::to_string(f.gpu_count) + "× " + f.gpu_manufacturer + " " + f.gpu_model +
              " (" + std::to_string(f.gpu_memory_gb) + " GB)";
    }
    std::string price = f.free ? "free" : f.price_per_hour ? Price(*f.price_per_hour) + "/h" : "";
    std::string available = "available";
    if (f.capacity) {
      auto used = ctx.hub().db.CountPlacedSpaces(f.name, 0);
      const int64_t left = *f.capacity - (used.ok() ? *used : 0);
      available = *f.capacity == 0 ? "none on this hub now"
                                   : std::to_string(std::max<int64_t>(0, left)) + " of " +
                                         std::to_string(*f.capacity) + " free";
    }
    out.push_back({{"name", f.name},
                   {"pretty", f.pretty_name.empty() ? f.name : f.pretty_name},
                   {"spec", spec},
                   {"price", price},
                   {"available", available},
                   {"current", rt.hardware_current && *rt.hardware_current == f.name},
                   {"requested", rt.hardware_requested == f.name}});
  }
  return out;
}

nlohmann::json EntryItems(const std::vector<db::SpaceEntry>& entries, bool with_values) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& e : entries) {
    nlohmann::json item = {{"key", e.key}, {"description", e.description}};
    if (with_values) item["value"] = e.value;
    out.push_back(std::move(item));
  }
  return out;
}

Result<http::Response> SettingsTab(const WebContext& ctx, const http::Request& req,
                                   const Visitor& visitor) {
  SH_ASSIGN_OR_RETURN(RepoId id, RouteRepoId(req, RepoType::kSpace));
  SH_ASSIGN_OR_RETURN(SpaceHeader h, LoadSpaceHeader(ctx, visitor, id, "settings"));
  // Secrets() refuses those who may not manage the Space (403, or 401 signed out).
  SH_ASSIGN_OR_RETURN(auto secrets, ctx.services().spaces.Secrets(visitor.caller, id));
  SH_ASSIGN_OR_RETURN(auto variables, ctx.services().spaces.Variables(visitor.caller, id));
  nlohmann::json data = h.data;
  data["flavors"] = FlavorItems(ctx, h.runtime);
  // Why a hardware request waits (capacity, grants); other stage messages are in the header.
  data["waiting"] = h.data["hardware_pending"].get<bool>() ? h.runtime.message.value_or("") : "";
  nlohmann::json sleep = nlohmann::json::array();
  const int64_t current_sleep = h.runtime.gc_timeout.value_or(-1);
  for (const auto& [seconds, label] : kSleepChoices) {
    sleep.push_back(
        {{"seconds", seconds}, {"label", label}, {"selected", seconds == current_sleep}});
  }
  data["sleep_choices"] = std::move(sleep);
  data["storage"] = h.runtime.storage.value_or("");
  nlohmann::json tiers = nlohmann::json::array();
  for (const char* t : kStorageTiers) {
    tiers.push_back({{"name", t}, {"selected", h.runtime.storage && *h.runtime.storage == t}});
  }
  data["storage_tiers"] = std::move(tiers);
  data["secrets"] = EntryItems(secrets, false);
  data["variables"] = EntryItems(variables, true);
  data["me"] = visitor.user() ? visitor.user()->user.name : "";
  return RenderPage(ctx, visitor,
                    PageView{.title = "Settings · " + id.Full(),
                             .view = "space_settings",
                             .data = std::move(data),
                             .section = "spaces"});
}

Result<int64_t> ParseInt(const std::string& text, std::string_view what) {
  try {
    size_t used = 0;
    int64_t v = std::stoll(text, &used);
    if (used == text.size()) return v;
  } catch (...) {
  }
  return Status::InvalidArgument(std::string(what) + " must be a whole number");
}

service::SpaceEntryInput EntryFrom(const Form& form) {
  service::SpaceEntryInput in;
  in.key = form.Get("key");
  in.value = form.Get("value");
  if (form.Has("description")) in.description = form.Get("description");
  return in;
}

// The duplicate form: name, owner, visibility, hardware, storage, sleep, the variables (prefilled)
// and a value for each secret (secrets are never copied: the new owner gives them).
Result<service::DuplicateInput> DuplicateFrom(const Form& form, const Visitor& visitor) {
  service::DuplicateInput in;
  std::string owner = form.Get("owner");
  if (owner.empty() && visitor.user()) owner = visitor.user()->user.name;
  auto to = MakeRepoId(RepoType::kSpace, owner, form.Get("name"));
  if (!to.ok()) return to.status();
  in.to = *to;
  in.is_private = form.Get("visibility") == "private";
  if (!form.Get("hardware").empty()) in.params.hardware = form.Get("hardware");
  if (!form.Get("storage").empty()) in.params.storage = form.Get("storage");
  if (!form.Get("sleep").empty()) {
    SH_ASSIGN_OR_RETURN(int64_t s, ParseInt(form.Get("sleep"), "Sleep time"));
    in.params.sleep_seconds = s;
  }
  for (const auto& [k, v] : form.fields) {
    if (k.rfind("variable.", 0) == 0) in.params.variables.push_back({k.substr(9), v, std::nullopt});
    if (k.rfind("secret.", 0) == 0 && !v.empty()) {
      in.params.secrets.push_back({k.substr(7), v, std::nullopt});
    }
  }
  return in;
}

using Action = std::function<Result<std::string>(const WebContext&, const Visitor&, const RepoId&,
                                                 const Form&)>;

// Each action returns where to go next (a path on the hub).
const std::map<std::string, Action, std::less<>>& Actions() {
  static const auto* actions = new std::map<std::string, Action, std::less<>>{
      {"hardware",
       [](const WebContext& c, const Visitor& v, const RepoId& id,
          const Form& f) -> Result<std::string> {
         SH_TRY(c.services()
                    .spaces.RequestHardware(v.caller, id, f.Get("flavor"), std::nullopt)
                    .status());
         return RepoPath(id) + "/settings#hardware";
       }},
      {"sleep",
       [](const WebContext& c, const Visitor& v, const RepoId& id,
          const Form& f) -> Result<std::string> {
         SH_ASSIGN_OR_RETURN(int64_t s, ParseInt(f.Get("seconds"), "Sleep time"));
         SH_TRY(c.services()
                    .spaces
                    .SetSleepTime(v.caller, id, s < 0 ? std::nullopt : std::optional<int64_t>(s))
                    .status());
         return RepoPath(id) + "/settings#sleep";
       }},
      {"storage",
       [](const WebContext& c, const Visitor& v, const RepoId& id,
          const Form& f) -> Result<std::string> {
         SH_TRY(c.services().spaces.RequestStorage(v.caller, id, f.Get("tier")).status());
         return RepoPath(id) + "/settings#storage";
       }},
      {"storage-delete",
       [](const WebContext& c, const Visitor& v, const RepoId& id,
          const Form& f) -> Result<std::string> {
         if (f.Get("confirm") != id.Full()) {
           return Status::InvalidArgument("Type the Space's full name to delete its storage");
         }
         SH_TRY(c.services().spaces.DeleteStorage(v.caller, id).status());
         return RepoPath(id) + "/settings#storage";
       }},
      {"secret",
       [](const WebContext& c, const Visitor& v, const RepoId& id,
          const Form& f) -> Result<std::string> {
         SH_TRY(c.services().spaces.AddSecret(v.caller, id, EntryFrom(f)));
         return RepoPath(id) + "/settings#secrets";
       }},
      {"secret-delete",
       [](const WebContext& c, const Visitor& v, const RepoId& id,
          const Form& f) -> Result<std::string> {
         SH_TRY(c.services().spaces.DeleteSecret(v.caller, id, f.Get("key")));
         return RepoPath(id) + "/settings#secrets";
       }},
      {"variable",
       [](const WebContext& c, const Visitor& v, const RepoId& id,
          const Form& f) -> Result<std::string> {
         SH_TRY(c.services().spaces.AddVariable(v.caller, id, EntryFrom(f)).status());
         return RepoPath(id) + "/settings#variables";
       }},
      {"variable-delete",
       [](const WebContext& c, const Visitor& v, const RepoId& id,
          const Form& f) -> Result<std::string> {
         SH_TRY(c.services().spaces.DeleteVariable(v.caller, id, f.Get("key")).status());
         return RepoPath(id) + "/settings#variables";
       }},
      {"pause",
       [](const WebContext& c, const Visitor& v, const RepoId& id,
          const Form&) -> Result<std::string> {
         SH_TRY(c.services().spaces.Pause(v.caller, id).status());
         return RepoPath(id);
       }},
      {"restart",
       [](const WebContext& c, const Visitor& v, const RepoId& id,
          const Form&) -> Result<std::string> {
         SH_TRY(c.services().spaces.Restart(v.caller, id, false).status());
         return RepoPath(id);
       }},
      {"factory-rebuild",
       [](const WebContext& c, const Visitor& v, const RepoId& id,
          const Form&) -> Result<std::string> {
         SH_TRY(c.services().spaces.Restart(v.caller, id, true).status());
         return RepoPath(id);
       }},
      {"duplicate",
       [](const WebContext& c, const Visitor& v, const RepoId& id,
          const Form& f) -> Result<std::string> {
         SH_ASSIGN_OR_RETURN(service::DuplicateInput in, DuplicateFrom(f, v));
         SH_ASSIGN_OR_RETURN(
             db::RepoRow row,
             c.services().spaces.Duplicate(v.caller, id, std::move(in), c.options().public_url));
         return RepoPath(row.repo);
       }},
      {"visibility",
       [](const WebContext& c, const Visitor& v, const RepoId& id,
          const Form& f) -> Result<std::string> {
         SH_TRY(c.services().repos.SetPrivate(v.caller, id, f.Get("visibility") == "private"));
         return RepoPath(id) + "/settings#visibility";
       }},
      {"move",
       [](const WebContext& c, const Visitor& v, const RepoId& id,
          const Form& f) -> Result<std::string> {
         SH_ASSIGN_OR_RETURN(RepoId to, ParseRepoId(RepoType::kSpace, f.Get("to")));
         SH_TRY(c.services().repos.Move(v.caller, id, to));
         return RepoPath(to) + "/settings";
       }},
      {"delete",
       [](const WebContext& c, const Visitor& v, const RepoId& id,
          const Form& f) -> Result<std::string> {
         if (f.Get("confirm") != id.Full()) {
           return Status::InvalidArgument("Type the Space's full name to delete it");
         }
         SH_TRY(c.services().repos.Delete(v.caller, id));
         return "/" + (v.user() ? v.user()->user.name : std::string());
       }},
  };
  return *actions;
}

}  // namespace

void RegisterSpaceSettingsPages(http::Router& router, const WebContext& ctx) {
  using http::Method;
  router.Add(Method::kGet, "/spaces/{ns}/{name}/settings",
             PageRoute(ctx, [&ctx](http::Request& req, const Visitor& v) {
               return SettingsTab(ctx, req, v);
             }));
  router.Add(Method::kPost, "/spaces/{ns}/{name}/settings/{action}",
             FormRoute(ctx,
                       [&ctx](http::Request& req, const Visitor& v,
                              const Form& form) -> Result<http::Response> {
                         SH_ASSIGN_OR_RETURN(RepoId id, RouteRepoId(req, RepoType::kSpace));
                         auto it = Actions().find(req.Param("action"));
                         if (it == Actions().end())
                           return Status::NotFound("No such settings action");
                         SH_ASSIGN_OR_RETURN(std::string next, it->second(ctx, v, id, form));
                         return Redirect(next);
                       }));
}

}  // namespace spacehub::web
