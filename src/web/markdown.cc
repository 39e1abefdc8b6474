#include "web/markdown.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm-extension_api.h>
#include <cmark-gfm.h>

#include <cstdlib>
#include <memory>
#include <mutex>
#include <vector>

#include "core/html_escape.h"

namespace spacehub::web {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr const char* kExtensions[] = {"table", "strikethrough", "autolink", "tasklist",
                                       "tagfilter"};
// No CMARK_OPT_UNSAFE: raw HTML becomes a comment and cmark-gfm empties javascript:, vbscript:,
// file: and (non-image) data: URLs. The allowlist below is the second line of defence.
constexpr int kOptions = CMARK_OPT_VALIDATE_UTF8;

// One line of `text` starting at `pos`, without its "\n" or "\r\n"; `next` is where the next begins
// (npos after the last line).
std::string_view LineAt(std::string_view text, size_t pos, size_t* next) {
  size_t end = text.find('\n', pos);
  *next = end == std::string_view::npos ? std::string_view::npos : end + 1;
  std::string_view line = text.substr(pos, end == std::string_view::npos ? end : end - pos);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

// The URL's scheme, lowercased, as a browser would read it (it ignores ASCII tabs and newlines
// anywhere, and leading controls and spaces); empty when the URL is relative.
std::string SchemeOf(std::string_view url) {
  std::string scheme;
  bool leading = true;
  for (char c : url) {
    auto u = static_cast<unsigned char>(c);
    if (c == '\t' || c == '\n' || c == '\r' || (leading && u <= 0x20)) continue;
    leading = false;
    if (c == ':') return scheme;
    bool alpha = (u | 0x20) >= 'a' && (u | 0x20) <= 'z';
    bool other = (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
    if (!alpha && !(other && !scheme.empty())) return {};
    scheme += static_cast<char>(alpha ? (u | 0x20) : u);
  }
  return {};
}

bool AllowedScheme(const std::string& scheme, bool image) {
  if (scheme == "http" || scheme == "https") return true;
  return !image && scheme == "mailto";
}

// Resolves "." and ".." in a relative path (never above the base), keeping ?query and #fragment.
std::string NormalizeRelative(std::string_view url) {
  size_t cut = url.find_first_of("?#");
  std::string_view path = url.substr(0, cut);
  std::string_view rest = cut == std::string_view::npos ? std::string_view{} : url.substr(cut);
  std::vector<std::string_view> parts;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    std::string_view seg = path.substr(pos, slash == std::string_view::npos ? slash : slash - pos);
    bool last = slash == std::string_view::npos;
    if (seg == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (seg != "." && (!seg.empty() || last)) {
      parts.push_back(seg);
    }
    if (last) break;
    pos = slash + 1;
  }
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += '/';
    out += parts[i];
  }
  out += rest;
  return out;
}

// The URL to render for a link or image written as `url`: "" (a dead link) for a scheme outside the
// allowlist; relative paths put under `base`; everything else unchanged.
std::string RewriteUrl(std::string_view url, std::string_view base, bool image) {
  std::string scheme = SchemeOf(url);
  if (!scheme.empty()) return AllowedScheme(scheme, image) ? std::string(url) : std::string();
  if (base.empty() || url.empty() || url.front() == '/' || url.front() == '\\' ||
      url.front() == '#' || url.front() == '?') {
    return std::string(url);
  }
  std::string out(base);
  if (out.back() != '/') out += '/';
  return out + NormalizeRelative(url);
}

void RewriteUrls(cmark_node* doc, const MarkdownOptions& options) {
  std::unique_ptr<cmark_iter, decltype(&cmark_iter_free)> iter(cmark_iter_new(doc),
                                                               &cmark_iter_free);
  cmark_event_type ev;
  while ((ev = cmark_iter_next(iter.get())) != CMARK_EVENT_DONE) {
    if (ev != CMARK_EVENT_ENTER) continue;
    cmark_node* node = cmark_iter_get_node(iter.get());
    cmark_node_type type = cmark_node_get_type(node);
    if (type != CMARK_NODE_LINK && type != CMARK_NODE_IMAGE) continue;
    bool image = type == CMARK_NODE_IMAGE;
    const char* url = cmark_node_get_url(node);
    std::string fixed = RewriteUrl(url != nullptr ? url : "",
                                   image ? options.image_base : options.link_base, image);
    cmark_node_set_url(node, fixed.c_str());
  }
}

void EnsureExtensions() {
  static std::once_flag once;
  std::call_once(once, [] { cmark_gfm_core_extensions_ensure_registered(); });
}

struct ParserFree {
  void operator()(cmark_parser* p) const { cmark_parser_free(p); }
};
struct NodeFree {
  void operator()(cmark_node* n) const { cmark_node_free(n); }
};

}  // namespace

FrontMatterSplit SplitFrontMatter(std::string_view readme) {
  std::string_view text = readme;
  if (text.substr(0, kBom.size()) == kBom) text.remove_prefix(kBom.size());
  size_t pos = 0;
  if (LineAt(text, 0, &pos) != "---" || pos == std::string_view::npos)
    return {std::nullopt, readme};
  size_t yaml_start = pos;
  while (pos != std::string_view::npos) {
    size_t line_start = pos;
    if (LineAt(text, line_start, &pos) == "---") {
      std::string_view body = pos == std::string_view::npos ? std::string_view{} : text.substr(pos);
      return {text.substr(yaml_start, line_start - yaml_start), body};
    }
  }
  return {std::nullopt, readme};
}

std::string RenderMarkdown(std::string_view markdown, const MarkdownOptions& options) {
  std::string_view body = SplitFrontMatter(markdown).body;
  if (body.size() > kMaxMarkdownBytes) return "<pre>" + EscapeHtml(body) + "</pre>\n";
  EnsureExtensions();
  // cmark-gfm keeps process-wide parser state (the table of special inline characters that
  // attaching an extension edits), so two parsers at once can lose strikethrough or autolinks
  // (ConcurrentCallsAgree caught it in CI): one document at a time. A README takes milliseconds.
  static std::mutex render_mu;
  std::lock_guard<std::mutex> lock(render_mu);
  std::unique_ptr<cmark_parser, ParserFree> parser(cmark_parser_new(kOptions));
  for (const char* name : kExtensions) {
    cmark_syntax_extension* ext = cmark_find_syntax_extension(name);
    if (ext != nullptr) cmark_parser_attach_syntax_extension(parser.get(), ext);
  }
  cmark_parser_feed(parser.get(), body.data(), body.size());
  std::unique_ptr<cmark_node, NodeFree> doc(cmark_parser_finish(parser.get()));
  RewriteUrls(doc.get(), options);
  char* html =
      cmark_render_html(doc.get(), kOptions, cmark_parser_get_syntax_extensions(parser.get()));
  std::string out(html != nullptr ? html : "");
  cmark_get_default_mem_allocator()->free(html);
  return out;
}

}  // namespace spacehub::web
