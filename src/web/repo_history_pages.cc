// A repo's history (models, datasets, Spaces):
//   GET /{prefix}{ns}/{name}/commits/{rev}   commits from `rev`, newest first, paged (?p=)
//   GET /{prefix}{ns}/{name}/commit/{sha}    one commit: what it changed, with the diffs of text
//                                            files (cut to limits: a huge commit stays a list)
//   GET /{prefix}{ns}/{name}/refs            branches, tags and pull-request refs
#include <algorithm>

#include "service/commit_view.h"
#include "web/diff_lines.h"
#include "web/file_paths.h"
#include "web/format.h"
#include "web/page.h"
#include "web/repo_view.h"

namespace spacehub::web {
namespace {

constexpr size_t kCommitsPerPage = 30;

size_t PageNumber(const http::Request& req) {
  try {
    return std::clamp<size_t>(std::stoul(req.Query("p").value_or("1")), 1, 1000000);
  } catch (...) {
    return 1;
  }
}

nlohmann::json CommitItem(const repo::CommitInfo& c, const std::string& base, int64_t now) {
  return {{"id", c.id},
          {"short", c.id.substr(0, 7)},
          {"title", c.title},
          {"author", c.author_name},
          {"age", Age(c.time_millis, now)},
          {"url", base + "/commit/" + c.id}};
}

Result<http::Response> CommitsPage(const WebContext& ctx, const http::Request& req,
                                   const Visitor& visitor, RepoType type) {
  SH_ASSIGN_OR_RETURN(RepoId id, RouteRepoId(req, type));
  SH_ASSIGN_OR_RETURN(RepoHeader h, LoadRepoHeader(ctx, visitor, id, "commits"));
  const std::string rev(req.Param("rev"));
  const std::string base = RepoPath(id);
  const size_t page = PageNumber(req);
  nlohmann::json data = std::move(h.data);
  auto listed = ctx.services().refs.Commits(visitor.caller, id, rev, (page - 1) * kCommitsPerPage,
                                            kCommitsPerPage);
  nlohmann::json items = nlohmann::json::array();
  if (listed.ok()) {
    const int64_t now = ctx.hub().clock.NowMillis();
    for (const auto& c : listed->commits) items.push_back(CommitItem(c, base, now));
    data["total"] = listed->total;
    if (page * kCommitsPerPage < listed->total) {
      data["next"] = RevPath(base, "commits", rev) + "?p=" + std::to_string(page + 1);
    }
  } else if (!(listed.status().reason() == "RevisionNotFound" && rev == "main")) {
    return listed.status();  // main of an empty repo: no commits yet
  }
  if (page > 1) data["prev"] = RevPath(base, "commits", rev) + "?p=" + std::to_string(page - 1);
  data["page"] = page;
  data["commits"] = std::move(items);
  data["no_commits"] = data["commits"].empty();
  data["files_url"] = RevPath(base, "tree", rev);
  SH_TRY(AddRefSwitcher(ctx, visitor, id, "commits", rev, "", data));
  return RenderPage(ctx, visitor,
                    PageView{.title = "Commits · " + id.Full(),
                             .view = "repo_commits",
                             .data = std::move(data),
                             .section = std::string(RepoTypePlural(type))});
}

std::string_view StatusLabel(repo::DiffStatus s) {
  switch (s) {
    case repo::DiffStatus::kAdded:
      return "added";
    case repo::DiffStatus::kDeleted:
      return "deleted";
    case repo::DiffStatus::kRenamed:
      return "renamed";
    case repo::DiffStatus::kModified:
      break;
  }
  return "modified";
}

nlohmann::json FileItem(const repo::FileDiff& f, const std::string& base, const std::string& sha) {
  nlohmann::json item = {{"path", f.new_path},       {"status", std::string(StatusLabel(f.status))},
                         {"additions", f.additions}, {"deletions", f.deletions},
                         {"binary", f.binary},       {"lfs", f.lfs},
                         {"truncated", f.truncated}};
  if (f.status == repo::DiffStatus::kRenamed) item["old_path"] = f.old_path;
  if (f.status != repo::DiffStatus::kDeleted) item["url"] = RevPath(base, "blob", sha, f.new_path);
  if (f.new_lfs) item["lfs_size"] = HumanSize(f.new_lfs->size);
  nlohmann::json lines = nlohmann::json::array();
  for (const DiffLine& l : SplitPatch(f.patch)) {
    lines.push_back({{"css", std::string(l.css)}, {"text", std::string(l.text)}});
  }
  item["has_patch"] = !lines.empty();
  item["lines"] = std::move(lines);
  return item;
}

Result<http::Response> CommitPage(const WebContext& ctx, const http::Request& req,
                                  const Visitor& visitor, RepoType type) {
  SH_ASSIGN_OR_RETURN(RepoId id, RouteRepoId(req, type));
  SH_ASSIGN_OR_RETURN(RepoHeader h, LoadRepoHeader(ctx, visitor, id, "commits"));
  SH_ASSIGN_OR_RETURN(
      service::CommitView commit,
      service::ShowCommit(ctx.hub(), visitor.caller, id, std::string(req.Param("sha"))));
  const std::string base = RepoPath(id);
  const repo::CommitInfo& info = commit.info;
  nlohmann::json data = std::move(h.data);
  data["commit"] = CommitItem(info, base, ctx.hub().clock.NowMillis());
  if (!info.message.empty()) data["message"] = info.message;
  if (!commit.diff.parent_id.empty()) {
    data["parent"] = {{"short", commit.diff.parent_id.substr(0, 7)},
                      {"url", base + "/commit/" + commit.diff.parent_id}};
  }
  data["browse_url"] = RevPath(base, "tree", info.id);
  nlohmann::json files = nlohmann::json::array();
  for (const auto& f : commit.diff.files) files.push_back(FileItem(f, base, info.id));
  data["files"] = std::move(files);
  data["file_count"] = commit.diff.total_files;
  if (commit.diff.total_files > commit.diff.files.size()) {
    data["more_files"] = commit.diff.total_files - commit.diff.files.size();
  }
  return RenderPage(ctx, visitor,
                    PageView{.title = info.title + " · " + id.Full(),
                             .view = "repo_commit",
                             .data = std::move(data),
                             .section = std::string(RepoTypePlural(type))});
}

Result<http::Response> RefsPage(const WebContext& ctx, const http::Request& req,
                                const Visitor& visitor, RepoType type) {
  SH_ASSIGN_OR_RETURN(RepoId id, RouteRepoId(req, type));
  SH_ASSIGN_OR_RETURN(RepoHeader h, LoadRepoHeader(ctx, visitor, id, "files"));
  SH_ASSIGN_OR_RETURN(repo::Refs refs, ctx.services().refs.Refs(visitor.caller, id));
  const std::string base = RepoPath(id);
  auto items = [&](const std::vector<repo::RefInfo>& list) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : list) {
      out.push_back({{"name", r.name},
                     {"short", r.target.substr(0, 7)},
                     {"tree_url", RevPath(base, "tree", r.name)},
                     {"commits_url", RevPath(base, "commits", r.name)},
                     {"commit_url", base + "/commit/" + r.target}});
    }
    return out;
  };
  nlohmann::json data = std::move(h.data);
  data["branches"] = items(refs.branches);
  data["tags"] = items(refs.tags);
  data["pull_requests"] = items(refs.pull_requests);
  return RenderPage(ctx, visitor,
                    PageView{.title = "Branches and tags · " + id.Full(),
                             .view = "repo_refs",
                             .data = std::move(data),
                             .section = std::string(RepoTypePlural(type))});
}

}  // namespace

void RegisterRepoHistoryPages(http::Router& router, const WebContext& ctx, RepoType type) {
  const std::string base = "/" + std::string(RepoTypeUrlPrefix(type)) + "{ns}/{name}";
  router.Add(http::Method::kGet, base + "/commits/{rev}",
             PageRoute(ctx, [&ctx, type](http::Request& req, const Visitor& v) {
               return CommitsPage(ctx, req, v, type);
             }));
  router.Add(http::Method::kGet, base + "/commit/{sha}",
             PageRoute(ctx, [&ctx, type](http::Request& req, const Visitor& v) {
               return CommitPage(ctx, req, v, type);
             }));
  router.Add(http::Method::kGet, base + "/refs",
             PageRoute(ctx, [&ctx, type](http::Request& req, const Visitor& v) {
               return RefsPage(ctx, req, v, type);
             }));
}

}  // namespace spacehub::web
