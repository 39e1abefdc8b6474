// Finding things: the home page, the Spaces / models / datasets lists (search, sort by last update
// or name, paging) and the page of a user or organization (their repos; an organization's members).
//   GET /   GET /spaces   GET /models   GET /datasets   GET /{ns}
// Lists come from RepoService::List, so a private repo appears only to those who may read it.
// Paging asks for one row more than it shows: "next" exists exactly when that row does, with no
// count of every match (which would cost a scan at 10,000 repos).
#include <algorithm>
#include <cctype>

#include "web/format.h"
#include "web/page.h"
#include "web/routes.h"

namespace spacehub::web {
namespace {

constexpr size_t kPageSize = 30;

struct ListQuery {
  std::string search;
  std::string sort;  // "updated" (default) or "name"
  size_t page = 1;
};

ListQuery ReadListQuery(const http::Request& req) {
  ListQuery q;
  q.search = req.Query("search").value_or("");
  q.sort = req.Query("sort").value_or("updated") == "name" ? "name" : "updated";
  try {
    q.page = std::max<size_t>(1, std::stoul(req.Query("p").value_or("1")));
  } catch (...) {
    q.page = 1;
  }
  q.page = std::min<size_t>(q.page, 100000);
  return q;
}

nlohmann::json RepoItem(const WebContext& ctx, const Visitor& visitor, const service::RepoView& r) {
  const int64_t now = ctx.hub().clock.NowMillis();
  nlohmann::json item = {{"path", RepoPath(r.id)},
                         {"full", r.id.Full()},
                         {"private", r.is_private},
                         {"updated", Age(r.updated_at, now)},
                         {"sdk", r.sdk}};
  if (r.id.type == RepoType::kSpace) {
    auto runtime = ctx.services().spaces.Runtime(visitor.caller, r.id);
    if (runtime.ok()) {
      item["stage"] = std::string(wire::SpaceStageName(runtime->stage));
      item["stage_class"] = "stage-" + std::string(wire::SpaceStageName(runtime->stage));
    }
  }
  return item;
}

// One page of repos of `type`, with the search form's state and the pager's links.
Result<nlohmann::json> RepoPage(const WebContext& ctx, const Visitor& visitor, RepoType type,
                                const ListQuery& q, std::optional<std::string> author,
                                const std::string& base_path) {
  service::ListReposInput in;
  in.type = type;
  in.author = std::move(author);
  if (!q.search.empty()) in.search = q.search;
  in.sort = q.sort == "name" ? "name" : "lastModified";
  in.descending = q.sort != "name";
  in.offset = (q.page - 1) * kPageSize;
  in.limit = kPageSize + 1;
  SH_ASSIGN_OR_RETURN(auto rows, ctx.services().repos.List(visitor.caller, in));
  const bool more = rows.size() > kPageSize;
  if (more) rows.resize(kPageSize);
  nlohmann::json items = nlohmann::json::array();
  for (const auto& r : rows) items.push_back(RepoItem(ctx, visitor, r));
  auto link = [&](size_t page) {
    std::string url = base_path + "?p=" + std::to_string(page) + "&sort=" + q.sort;
    if (!q.search.empty()) url += "&search=" + UrlEncode(q.search);
    return url;
  };
  nlohmann::json out = {{"items", items},     {"empty", items.empty()},
                        {"search", q.search}, {"sort_name", q.sort == "name"},
                        {"page", q.page},     {"action", base_path}};
  if (q.page > 1) out["prev"] = link(q.page - 1);
  if (more) out["next"] = link(q.page + 1);
  return out;
}

struct ListKind {
  RepoType type;
  const char* path;
  const char* title;
  const char* section;
};
constexpr ListKind kLists[] = {{RepoType::kSpace, "/spaces", "Spaces", "spaces"},
                               {RepoType::kModel, "/models", "Models", "models"},
                               {RepoType::kDataset, "/datasets", "Datasets", "datasets"}};

Result<http::Response> ListPage(const WebContext& ctx, const http::Request& req,
                                const Visitor& visitor, const ListKind& kind) {
  SH_ASSIGN_OR_RETURN(nlohmann::json list, RepoPage(ctx, visitor, kind.type, ReadListQuery(req),
                                                    std::nullopt, kind.path));
  list["kind"] = kind.title;
  list["is_spaces"] = kind.type == RepoType::kSpace;
  return RenderPage(
      ctx, visitor,
      PageView{
          .title = kind.title, .view = "list", .data = std::move(list), .section = kind.section});
}

Result<http::Response> HomePage(const WebContext& ctx, const Visitor& visitor) {
  nlohmann::json data = {{"sections", nlohmann::json::array()}};
  ListQuery recent;
  for (const ListKind& kind : kLists) {
    SH_ASSIGN_OR_RETURN(nlohmann::json list,
                        RepoPage(ctx, visitor, kind.type, recent, std::nullopt, kind.path));
    list["kind"] = kind.title;
    list["more"] = kind.path;
    list.erase("next");
    data["sections"].push_back(std::move(list));
  }
  return RenderPage(ctx, visitor,
                    PageView{.title = "Home", .view = "home", .data = std::move(data)});
}

// Whether to link the account's jobs: JobService's rule (the user, the organization's members,
// site administrators); the jobs page itself asks JobService.
bool SeesJobs(const Visitor& visitor, const std::string& account) {
  const auth::Principal* p = visitor.user();
  if (p == nullptr) return false;
  auto same = [&](const std::string& name) {
    return std::ranges::equal(name, account, [](char a, char b) {
      return std::tolower(static_cast<unsigned char>(a)) ==
             std::tolower(static_cast<unsigned char>(b));
    });
  };
  if (p->user.is_admin || same(p->user.name)) return true;
  for (const auto& m : p->orgs) {
    if (same(m.org_name)) return true;
  }
  return false;
}

Result<http::Response> AccountPage(const WebContext& ctx, const http::Request& req,
                                   const Visitor& visitor) {
  const std::string ns(req.Param("ns"));
  auto account = ctx.hub().db.FindAccount(ns);
  if (!account.ok()) {
    if (account.status().code() == Code::kNotFound)
      return Status::NotFound("No such user or organization");
    return account.status();
  }
  const ListQuery q = ReadListQuery(req);
  nlohmann::json data = {{"name", account->name},
                         {"is_org", account->kind == db::AccountKind::kOrg},
                         {"sections", nlohmann::json::array()}};
  for (const ListKind& kind : kLists) {
    SH_ASSIGN_OR_RETURN(nlohmann::json list,
                        RepoPage(ctx, visitor, kind.type, q, account->name, "/" + account->name));
    list["kind"] = kind.title;
    list.erase("next");
    list.erase("prev");
    data["sections"].push_back(std::move(list));
  }
  if (account->kind == db::AccountKind::kOrg) {
    SH_ASSIGN_OR_RETURN(auto members, ctx.hub().db.ListMembers(account->id));
    nlohmann::json m = nlohmann::json::array();
    for (const auto& member : members) {
      m.push_back({{"name", member.user_name}, {"role", db::RoleName(member.role)}});
    }
    data["members"] = std::move(m);
  }
  data["jobs_link"] = SeesJobs(visitor, account->name);
  return RenderPage(ctx, visitor,
                    PageView{.title = account->name, .view = "account", .data = std::move(data)});
}

}  // namespace

void RegisterListPages(http::Router& router, const WebContext& ctx) {
  using http::Method;
  router.Add(Method::kGet, "/",
             PageRoute(ctx, [&ctx](http::Request&, const Visitor& v) { return HomePage(ctx, v); }));
  for (const ListKind& kind : kLists) {
    router.Add(Method::kGet, kind.path,
               PageRoute(ctx, [&ctx, &kind](http::Request& req, const Visitor& v) {
                 return ListPage(ctx, req, v, kind);
               }));
  }
  router.Add(Method::kGet, "/{ns}", PageRoute(ctx, [&ctx](http::Request& req, const Visitor& v) {
               return AccountPage(ctx, req, v);
             }));
}

}  // namespace spacehub::web
