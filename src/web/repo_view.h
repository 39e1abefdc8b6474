// What every repo page shows at its top, and the routes' shared reading of a repo from its URL.
// A model's or dataset's pages get the repo header (name, visibility, kind, tabs Card | Files |
// Commits | Settings); a Space's Files, Commits and upload pages get the Space header instead, so
// they sit under the Space's own tabs. Either way a repo the visitor may not read is a 404, from
// the service, exactly as in the API. Thread-safe (stateless).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "http/router.h"
#include "web/web_context.h"

namespace spacehub::web {

// The repo named by the route's {ns} and {name}; a malformed name is a 404 like an unknown one.
Result<RepoId> RouteRepoId(const http::Request& req, RepoType type);

// nlohmann::json's default constructor holds a throw for a case a null json never takes (as for
// service::CommitSnapshot).
struct RepoHeader {  // NOLINT(bugprone-exception-escape)
  db::RepoRow row;
  bool can_write = false;  // shows the upload, edit and settings links; the services decide
  nlohmann::json data;     // the repo_top partial's data, merged into the page's data
};

// `tab`: "card", "files", "commits", "settings" (Spaces: "files" for all but their own tabs).
Result<RepoHeader> LoadRepoHeader(const WebContext& ctx, const Visitor& visitor, const RepoId& id,
                                  std::string_view tab);

// The branch/tag switcher's data (ref_branches, ref_tags, rev) added to `data`: each ref links to
// "{base}/{kind}/{ref}/{path}", the same page at that ref.
Status AddRefSwitcher(const WebContext& ctx, const Visitor& visitor, const RepoId& id,
                      std::string_view kind, std::string_view rev, std::string_view path,
                      nlohmann::json& data);

// Registration of the repo page files (each called once by RegisterRepoPages, for every type).
void RegisterRepoFilesPages(http::Router& router, const WebContext& ctx, RepoType type);
void RegisterRepoHistoryPages(http::Router& router, const WebContext& ctx, RepoType type);
void RegisterRepoUploadPages(http::Router& router, const WebContext& ctx, RepoType type);
void RegisterRepoSettingsPages(http::Router& router, const WebContext& ctx, RepoType type);

}  // namespace spacehub::web
