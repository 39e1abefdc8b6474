// README rendering for the repo pages: GitHub-flavoured Markdown to HTML with libcmark-gfm, safe to
// put into a hub page as it is. No raw HTML passes (cmark-gfm's safe mode renders it as a comment),
// and every link and image URL is checked against an allowlist of schemes on top of cmark-gfm's own
// denylist, so a README cannot run script in the hub's origin. Relative links and images are
// rewritten to point into the repository, as the Hub does.
//
// Stateless; every function may be called from any thread at once (libcmark-gfm's extension
// registry is filled once, under std::call_once, and only read afterwards).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace spacehub::web {

struct FrontMatterSplit {
  // The YAML between the leading `---` lines (without them), or nullopt when there is none.
  std::optional<std::string_view> yaml;
  // What follows the closing `---` line; the whole input when there is no front matter.
  std::string_view body;
};

// Splits a README into its card metadata and its Markdown, by the same rule as
// service::ExtractFrontMatter: the first line is `---` (after an optional UTF-8 BOM, CR allowed),
// and the block ends at the next line that is exactly `---`. An unterminated block is not front
// matter. Both views point into `readme`.
FrontMatterSplit SplitFrontMatter(std::string_view readme);

struct MarkdownOptions {
  // Prefix for relative link targets, e.g. "/alice/model/blob/main/". Empty: left as written.
  std::string link_base{};
  // Prefix for relative image sources, e.g. "/alice/model/resolve/main/". Empty: left as written.
  std::string image_base{};
};

// Inputs longer than this are not parsed as Markdown: they are shown as preformatted, escaped text
// (a README that large is not prose, and it bounds the time one page may take).
inline constexpr size_t kMaxMarkdownBytes = 1 << 20;

// Renders `markdown` (front matter, if any, is dropped first) to an HTML fragment. GFM extensions:
// table, strikethrough, autolink, tasklist, tagfilter. Never fails: invalid UTF-8 is replaced.
std::string RenderMarkdown(std::string_view markdown, const MarkdownOptions& options = {});

}  // namespace spacehub::web
