// The files of a repo at a revision (models, datasets, and a Space's Files tab):
//   GET /{prefix}{ns}/{name}/tree/{rev}[/{path*}]   a folder: folders first, sizes, LFS/Xet badges
//   GET /{prefix}{ns}/{name}/blob/{rev}/{path*}     a file: text (highlighted), Markdown rendered,
//                                                   or a note for binary, LFS and large files
// Raw and download links point at the API's /raw/ and /resolve/ routes, which serve the bytes.
#include <algorithm>

#include "web/file_kinds.h"
#include "web/file_paths.h"
#include "web/format.h"
#include "web/markdown.h"
#include "web/page.h"
#include "web/repo_file.h"
#include "web/repo_view.h"

namespace spacehub::web {
namespace {

// Files up to this size are shown in the page; larger ones only linked.
constexpr uint64_t kMaxShownBytes = 1 << 20;
std::string PathParam(const http::Request& req) { return std::string(req.Param("path")); }

nlohmann::json CrumbItems(const std::string& base, const std::string& rev, const std::string& path,
                          const std::string& root) {
  nlohmann::json out = nlohmann::json::array();
  for (const Crumb& c : Breadcrumbs(base, rev, path, root)) {
    out.push_back({{"name", c.name}, {"url", c.url}, {"last", c.last}});
  }
  return out;
}

nlohmann::json EntryItems(const std::vector<service::TreeEntryWithCommit>& listed,
                          const std::string& base, const std::string& rev) {
  std::vector<const service::TreeEntryWithCommit*> entries;
  entries.reserve(listed.size());
  for (const auto& t : listed) entries.push_back(&t);
  // Folders first, each group in path order (as the Hub lists them).
  std::stable_partition(entries.begin(), entries.end(),
                        [](const service::TreeEntryWithCommit* t) { return t->entry.is_dir; });
  nlohmann::json out = nlohmann::json::array();
  for (const service::TreeEntryWithCommit* t : entries) {
    const repo::TreeEntry* e = &t->entry;
    nlohmann::json item = {{"name", std::string(BaseName(e->path))},
                           {"path", e->path},
                           {"url", RevPath(base, e->is_dir ? "tree" : "blob", rev, e->path)},
                           {"is_dir", e->is_dir},
                           {"lfs", e->lfs.has_value()},
                           {"xet", !t->xet_hash.empty()}};
    if (!e->is_dir) item["size"] = HumanSize(e->size);
    out.push_back(std::move(item));
  }
  return out;
}

Result<http::Response> TreePage(const WebContext& ctx, const http::Request& req,
                                const Visitor& visitor, RepoType type) {
  SH_ASSIGN_OR_RETURN(RepoId id, RouteRepoId(req, type));
  SH_ASSIGN_OR_RETURN(RepoHeader h, LoadRepoHeader(ctx, visitor, id, "files"));
  const std::string rev(req.Param("rev"));
  const std::string path = PathParam(req);
  const std::string base = RepoPath(id);
  auto listed = ctx.services().files.Tree(visitor.caller, id, rev, path, false, false);
  std::vector<service::TreeEntryWithCommit> entries;
  if (listed.ok()) {
    entries = std::move(*listed);
  } else if (listed.status().reason() == "RevisionNotFound" && rev == "main" && path.empty()) {
    // A repo without commits: an empty listing, with the upload link that fills it.
  } else {
    return listed.status();
  }
  // A file's path lists just that file (as the API answers): show the file instead.
  if (!path.empty() && entries.size() == 1 && !entries.front().entry.is_dir &&
      entries.front().entry.path == path) {
    return Redirect(RevPath(base, "blob", rev, path));
  }
  nlohmann::json data = std::move(h.data);
  SH_TRY(AddRefSwitcher(ctx, visitor, id, "tree", rev, path, data));
  data["entries"] = EntryItems(entries, base, rev);
  data["empty"] = entries.empty();
  data["crumbs"] = CrumbItems(base, rev, path, id.name);
  if (!path.empty()) data["parent_url"] = RevPath(base, "tree", rev, ParentOf(path));
  data["commits_url"] = RevPath(base, "commits", rev);
  if (h.can_write) {
    data["upload_url"] =
        RevPath(base, "upload", rev) + (path.empty() ? "" : "?folder=" + UrlEncode(path));
  }
  return RenderPage(ctx, visitor,
                    PageView{.title = (path.empty() ? "Files" : path) + " · " + id.Full(),
                             .view = "repo_tree",
                             .data = std::move(data),
                             .section = std::string(RepoTypePlural(type))});
}

Result<http::Response> BlobPage(const WebContext& ctx, const http::Request& req,
                                const Visitor& visitor, RepoType type) {
  SH_ASSIGN_OR_RETURN(RepoId id, RouteRepoId(req, type));
  SH_ASSIGN_OR_RETURN(RepoHeader h, LoadRepoHeader(ctx, visitor, id, "files"));
  const std::string rev(req.Param("rev"));
  const std::string path = PathParam(req);
  const std::string base = RepoPath(id);
  SH_ASSIGN_OR_RETURN(PageFile file, ReadPageFile(ctx, visitor, id, rev, path, kMaxShownBytes));
  if (file.entry.is_dir) return Redirect(RevPath(base, "tree", rev, path));

  nlohmann::json data = std::move(h.data);
  SH_TRY(AddRefSwitcher(ctx, visitor, id, "blob", rev, path, data));
  data["crumbs"] = CrumbItems(base, rev, path, id.name);
  data["file_name"] = std::string(BaseName(path));
  data["size"] = HumanSize(file.entry.size);
  data["lfs"] = file.entry.lfs.has_value();
  data["xet"] = !file.xet_hash.empty();
  data["raw_url"] = RevPath(base, "raw", rev, path);
  data["download_url"] = RevPath(base, "resolve", rev, path) + "?download=true";
  data["history_url"] = RevPath(base, "commits", rev);
  bool highlight = false;
  if (file.entry.lfs && !file.xet_hash.empty()) {
    data["note"] = "This file is stored with Xet, in deduplicated chunks (" +
                   HumanSize(file.entry.size) + "); git holds its LFS pointer.";
  } else if (file.entry.lfs) {
    data["note"] = "This file is stored with Git LFS (" + HumanSize(file.entry.size) + ").";
  } else if (file.too_large) {
    data["note"] = "This file is too large to show here (" + HumanSize(file.entry.size) + ").";
  } else if (file.binary) {
    data["note"] = "This is a binary file.";
  } else if (file.text && file.text->empty()) {
    data["empty_file"] = true;
  } else if (file.text && IsMarkdownPath(path)) {
    const std::string dir(ParentOf(path));
    MarkdownOptions md{.link_base = RevPath(base, "blob", rev, dir) + "/",
                       .image_base = RevPath(base, "resolve", rev, dir) + "/"};
    data["markdown_html"] = RenderMarkdown(*file.text, md);
  } else if (file.text) {
    const std::string_view lang = HighlightLanguage(path);
    data["code_class"] = lang.empty() ? "nohighlight" : "language-" + std::string(lang);
    data["text"] = std::move(*file.text);
    highlight = !lang.empty();
  }
  if (h.can_write && file.text && file.entry.size < kMaxEditBytes) {
    data["edit_url"] = RevPath(base, "edit", rev, path);
  }
  return RenderPage(ctx, visitor,
                    PageView{.title = path + " · " + id.Full(),
                             .view = "repo_blob",
                             .data = std::move(data),
                             .section = std::string(RepoTypePlural(type)),
                             .highlight = highlight});
}

}  // namespace

void RegisterRepoFilesPages(http::Router& router, const WebContext& ctx, RepoType type) {
  const std::string base = "/" + std::string(RepoTypeUrlPrefix(type)) + "{ns}/{name}";
  auto tree = [&ctx, type](http::Request& req, const Visitor& v) {
    return TreePage(ctx, req, v, type);
  };
  router.Add(http::Method::kGet, base + "/tree/{rev}", PageRoute(ctx, tree));
  router.Add(http::Method::kGet, base + "/tree/{rev}/{path*}", PageRoute(ctx, tree));
  router.Add(http::Method::kGet, base + "/blob/{rev}/{path*}",
             PageRoute(ctx, [&ctx, type](http::Request& req, const Visitor& v) {
               return BlobPage(ctx, req, v, type);
             }));
}

}  // namespace spacehub::web
