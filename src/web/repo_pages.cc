// A model's or dataset's card, and the registration of every repo page (models, datasets, and the
// Files side of Spaces), in the Hub's URL shapes ({prefix}: "", "datasets/", "spaces/"):
//   GET /{prefix}{ns}/{name}   the card: README.md rendered (sanitized, web/markdown.h) and its
//                              metadata (the YAML front matter) beside it; not for Spaces, whose
//                              page there is the App tab
// The files, history, upload/edit and settings pages live in repo_*_pages.cc.
#include "web/file_paths.h"
#include "web/format.h"
#include "web/markdown.h"
#include "web/page.h"
#include "web/repo_file.h"
#include "web/repo_view.h"
#include "web/routes.h"

namespace spacehub::web {
namespace {

// A README larger than this is not read for the card (RenderMarkdown shows 1 MB as text anyway).
constexpr uint64_t kMaxReadmeBytes = 2 * kMaxMarkdownBytes;

// Missing README, empty repo or an unknown main: the card says there is no README.
bool IsAbsent(const Status& st) {
  return st.reason() == "EntryNotFound" || st.reason() == "RevisionNotFound";
}

Result<http::Response> CardPage(const WebContext& ctx, const http::Request& req,
                                const Visitor& visitor, RepoType type) {
  SH_ASSIGN_OR_RETURN(RepoId id, RouteRepoId(req, type));
  SH_ASSIGN_OR_RETURN(RepoHeader h, LoadRepoHeader(ctx, visitor, id, "card"));
  nlohmann::json data = std::move(h.data);
  const std::string base = RepoPath(id);
  data["files_url"] = RevPath(base, "tree", "main");
  data["commits_url"] = RevPath(base, "commits", "main");
  data["upload_url"] = RevPath(base, "upload", "main");
  auto readme = ReadPageFile(ctx, visitor, id, "main", "README.md", kMaxReadmeBytes);
  if (!readme.ok() && !IsAbsent(readme.status())) return readme.status();
  if (readme.ok() && readme->text) {
    const FrontMatterSplit split = SplitFrontMatter(*readme->text);
    if (split.yaml && !split.yaml->empty()) data["card_yaml"] = std::string(*split.yaml);
    MarkdownOptions md{.link_base = RevPath(base, "blob", "main") + "/",
                       .image_base = RevPath(base, "resolve", "main") + "/"};
    std::string html = RenderMarkdown(*readme->text, md);
    if (!html.empty()) data["readme_html"] = std::move(html);
    data["sha"] = readme->commit;
    data["sha_short"] = readme->commit.substr(0, 7);
  }
  // Code blocks in the README (cmark-gfm marks their language) and the metadata get highlighted.
  const bool highlight =
      data.contains("card_yaml") ||
      (data.contains("readme_html") && data["readme_html"].get_ref<const std::string&>().find(
                                           "class=\"language-") != std::string::npos);
  return RenderPage(ctx, visitor,
                    PageView{.title = id.Full(),
                             .view = "repo_card",
                             .data = std::move(data),
                             .section = std::string(RepoTypePlural(type)),
                             .highlight = highlight});
}

}  // namespace

void RegisterRepoPages(http::Router& router, const WebContext& ctx) {
  // Datasets and Spaces first: a model's patterns ("/{ns}/{name}/...") would take their paths.
  for (RepoType type : {RepoType::kDataset, RepoType::kSpace, RepoType::kModel}) {
    RegisterRepoFilesPages(router, ctx, type);
    RegisterRepoHistoryPages(router, ctx, type);
    RegisterRepoUploadPages(router, ctx, type);
    if (type == RepoType::kSpace) continue;  // a Space's page and settings are its own tabs
    RegisterRepoSettingsPages(router, ctx, type);
    router.Add(http::Method::kGet, "/" + std::string(RepoTypeUrlPrefix(type)) + "{ns}/{name}",
               PageRoute(ctx, [&ctx, type](http::Request& req, const Visitor& v) {
                 return CardPage(ctx, req, v, type);
               }));
  }
}

}  // namespace spacehub::web
