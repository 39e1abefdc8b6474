#include "web/markdown.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

namespace spacehub::web {
namespace {

::testing::AssertionResult Has(const std::string& html, std::string_view part) {
  if (html.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << part << "\" not in: " << html;
}
::testing::AssertionResult Lacks(const std::string& html, std::string_view part) {
  if (html.find(part) == std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << part << "\" in: " << html;
}

MarkdownOptions RepoBases() {
  return {.link_base = "/alice/model/blob/main/", .image_base = "/alice/model/resolve/main/"};
}

bool Contains(const std::vector<std::string_view>& set, std::string_view s) {
  return std::find(set.begin(), set.end(), s) != set.end();
}

// Reads every tag of `html` (text between tags is escaped by the renderer, so a '<' starts a tag)
// and fails unless each is one the Markdown renderer makes, with only its own attributes, and no
// URL that runs script or embeds content. An allowlist: whatever a payload smuggles in is caught.
void ExpectInert(const std::string& html) {
  static const std::vector<std::string_view> kTags = {
      "a",          "img", "p",  "em", "strong", "del", "table", "thead", "tbody",
      "tr",         "th",  "td", "ul", "ol",     "li",  "input", "pre",   "code",
      "blockquote", "h1",  "h2", "h3", "h4",     "h5",  "h6",    "hr",    "br"};
  static const std::vector<std::string_view> kAttrs = {
      "href", "src", "alt", "title", "align", "type", "checked", "disabled", "class", "start"};
  size_t pos = 0;
  while ((pos = html.find('<', pos)) != std::string::npos) {
    if (html.compare(pos, 4, "<!--") == 0) {
      ASSERT_EQ(html.compare(pos, 25, "<!-- raw HTML omitted -->"), 0) << html;
      pos += 25;
      continue;
    }
    size_t end = html.find('>', pos);
    ASSERT_NE(end, std::string::npos) << html;
    std::string_view tag(html.data() + pos + 1, end - pos - 1);
    if (!tag.empty() && tag.front() == '/') tag.remove_prefix(1);
    if (!tag.empty() && tag.back() == '/') tag.remove_suffix(1);
    size_t name_end = tag.find(' ');
    ASSERT_TRUE(Contains(kTags, tag.substr(0, name_end))) << tag << " in " << html;
    while (name_end != std::string_view::npos && name_end < tag.size()) {
      tag.remove_prefix(name_end + 1);
      if (tag.empty()) break;
      size_t eq = tag.find_first_of("= ");
      ASSERT_TRUE(Contains(kAttrs, tag.substr(0, eq))) << tag << " in " << html;
      name_end = eq;
      if (eq == std::string_view::npos || tag[eq] == ' ') continue;
      ASSERT_EQ(tag.substr(eq, 2), "=\"") << html;
      size_t close = tag.find('"', eq + 2);
      ASSERT_NE(close, std::string_view::npos) << html;
      std::string value(tag.substr(eq + 2, close - eq - 2));
      for (char& c : value) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      for (const char* bad : {"javascript:", "vbscript:", "data:", "file:", "blob:"}) {
        EXPECT_EQ(value.find(bad), std::string::npos) << value << " in " << html;
      }
      name_end = close + 1;
    }
    pos = end + 1;
  }
}

TEST(SplitFrontMatter, SplitsYamlAndBody) {
  auto split = SplitFrontMatter("---\nlicense: mit\ntags: [a]\n---\n# Title\n");
  ASSERT_TRUE(split.yaml.has_value());
  EXPECT_EQ(*split.yaml, "license: mit\ntags: [a]\n");
  EXPECT_EQ(split.body, "# Title\n");
}

TEST(SplitFrontMatter, CrlfBomAndEmptyBlock) {
  auto split = SplitFrontMatter("\xEF\xBB\xBF---\r\na: 1\r\n---\r\nbody");
  ASSERT_TRUE(split.yaml.has_value());
  EXPECT_EQ(*split.yaml, "a: 1\r\n");
  EXPECT_EQ(split.body, "body");
  auto empty = SplitFrontMatter("---\n---\n");
  ASSERT_TRUE(empty.yaml.has_value());
  EXPECT_EQ(*empty.yaml, "");
  EXPECT_EQ(empty.body, "");
  auto at_end = SplitFrontMatter("---\na: 1\n---");
  ASSERT_TRUE(at_end.yaml.has_value());
  EXPECT_EQ(at_end.body, "");
}

TEST(SplitFrontMatter, NoFrontMatter) {
  for (std::string_view in : {"", "---", "--- \na\n---\n", "# T\n---\n", "---\nunterminated\n",
                              "----\na\n----\n", " ---\na\n---\n"}) {
    auto split = SplitFrontMatter(in);
    EXPECT_FALSE(split.yaml.has_value()) << in;
    EXPECT_EQ(split.body, in);
  }
}

TEST(RenderMarkdown, DropsFrontMatter) {
  std::string html = RenderMarkdown("---\nsecret_key: shown-elsewhere\n---\n# Hello\n");
  EXPECT_EQ(html, "<h1>Hello</h1>\n");
}

TEST(RenderMarkdown, BasicMarkdown) {
  EXPECT_EQ(RenderMarkdown("Hello *world*"), "<p>Hello <em>world</em></p>\n");
  EXPECT_TRUE(Has(RenderMarkdown("```python\nprint('<b>')\n```\n"),
                  "<pre><code class=\"language-python\">print('&lt;b&gt;')\n</code></pre>"));
}

TEST(RenderMarkdown, GfmExtensions) {
  std::string html = RenderMarkdown(
      "| a | b |\n|---|:-:|\n| 1 | 2 |\n\n~~gone~~\n\nsee www.example.com\n\n- [x] done\n- [ ] "
      "todo\n");
  EXPECT_TRUE(Has(html, "<table>"));
  EXPECT_TRUE(Has(html, "<th align=\"center\">b</th>"));
  EXPECT_TRUE(Has(html, "<del>gone</del>"));
  EXPECT_TRUE(Has(html, "<a href=\"http://www.example.com\">www.example.com</a>"));
  EXPECT_TRUE(Has(html, "<input type=\"checkbox\" checked=\"\" disabled=\"\" /> done"));
  EXPECT_TRUE(Has(html, "<input type=\"checkbox\" disabled=\"\" /> todo"));
}

TEST(RenderMarkdown, RawHtmlIsOmitted) {
  for (std::string in : {
           "<script>alert(1)</script>",
           "<img src=x onerror=alert(1)>",
           "text <img src=x onerror=alert(1)> inline",
           "<iframe src=\"https://evil.example\"></iframe>",
           "<style>body{display:none}</style>",
           "<div style=\"position:fixed\">x</div>",
           "<svg onload=alert(1)>",
           "<a href=\"javascript:alert(1)\">x</a>",
           "<details open ontoggle=alert(1)>",
           "<!-- comment --><script>x</script>",
           "<textarea><script>alert(1)</script></textarea>",
           "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
           "| a |\n|---|\n| <script>alert(1)</script> |\n",
           "| a |\n|---|\n| <img src=x onerror=alert(1)> |\n",
           "> <script>alert(1)</script>",
           "- <iframe src=x>",
           "<scr<script>ipt>alert(1)</script>",
       }) {
    std::string html = RenderMarkdown(in);
    ExpectInert(html);
  }
  EXPECT_TRUE(Has(RenderMarkdown("<script>alert(1)</script>"), "raw HTML omitted"));
  EXPECT_EQ(RenderMarkdown("<img src=x onerror=alert(1)>"), "<!-- raw HTML omitted -->\n");
}

TEST(RenderMarkdown, DangerousLinkSchemesAreEmptied) {
  for (std::string in : {
           "[x](javascript:alert(1))",
           "[x](JaVaScRiPt:alert(1))",
           "[x](javascript&#58;alert(1))",
           "[x](javascript&colon;alert(1))",
           "[x](&#106;avascript:alert(1))",
           "[x](<javascript:alert(1)>)",
           "[x](java&#9;script:alert(1))",
           "[x](java&#10;script:alert(1))",
           "[x]( javascript:alert(1))",
           "[x](&#1;javascript:alert(1))",
           "[x](vbscript:msgbox(1))",
           "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
           "[x](data:image/svg+xml,<svg/onload=alert(1)>)",
           "[x](file:///etc/passwd)",
           "![x](javascript:alert(1))",
           "![x](data:image/png;base64,iVBORw0KGgo=)",
           "![x](data:image/svg+xml;base64,PHN2Zz4=)",
           "[x][r]\n\n[r]: javascript:alert(1)",
           "[x][r]\n\n[r]: <data:text/html,x>",
           "<javascript:alert(1)>",
           "<vbscript:alert(1)>",
           "<data:text/html,<script>alert(1)</script>>",
           "javascript:alert(1)",
           "[x](jav\\ascript:alert(1))",
           "| a |\n|---|\n| [x](javascript:alert(1)) |\n",
           "[x](javascript:alert(1) \"title\")",
           "[<img src=x onerror=alert(1)>](https://ok.example)",
       }) {
    std::string html = RenderMarkdown(in, RepoBases());
    ExpectInert(html);
  }
  // A scheme outside the allowlist that cmark-gfm itself lets through.
  EXPECT_TRUE(Has(RenderMarkdown("[x](ms-settings:foo)"), "<a href=\"\">x</a>"));
  EXPECT_TRUE(Has(RenderMarkdown("[x](blob:https://x/1)"), "<a href=\"\">x</a>"));
}

TEST(RenderMarkdown, AttributesStayQuoted) {
  for (std::string in : {
           "[x](https://a.example/\"onmouseover=\"alert(1))",
           "[x](https://a.example/ \"t\\\" onmouseover=\\\"alert(1)\")",
           "![a\" onerror=\"alert(1)](https://a.example/i.png)",
           "```py\" onclick=\"alert(1)\nx\n```",
           "[x](https://a.example/'onmouseover='alert(1))",
       }) {
    std::string html = RenderMarkdown(in);
    EXPECT_TRUE(Lacks(html, "\" on"));
    EXPECT_TRUE(Lacks(html, "' on"));
    EXPECT_TRUE(Lacks(html, "\"on"));
  }
}

TEST(RenderMarkdown, SafeLinksPass) {
  EXPECT_TRUE(Has(RenderMarkdown("[x](https://example.com/a?b=1&c=2#d)"),
                  "<a href=\"https://example.com/a?b=1&amp;c=2#d\">x</a>"));
  EXPECT_TRUE(
      Has(RenderMarkdown("[x](mailto:a@example.com)"), "<a href=\"mailto:a@example.com\">x</a>"));
  EXPECT_TRUE(Has(RenderMarkdown("<https://example.com>"),
                  "<a href=\"https://example.com\">https://example.com</a>"));
  EXPECT_TRUE(Has(RenderMarkdown("![x](mailto:a@example.com)"), "<img src=\"\""));
}

TEST(RenderMarkdown, RelativeUrlsPointIntoTheRepo) {
  MarkdownOptions o = RepoBases();
  EXPECT_TRUE(
      Has(RenderMarkdown("[c](config.json)", o), "href=\"/alice/model/blob/main/config.json\""));
  EXPECT_TRUE(Has(RenderMarkdown("[c](./docs/a.md#usage)", o),
                  "href=\"/alice/model/blob/main/docs/a.md#usage\""));
  EXPECT_TRUE(Has(RenderMarkdown("![i](img/plot.png)", o),
                  "src=\"/alice/model/resolve/main/img/plot.png\""));
  EXPECT_TRUE(Has(RenderMarkdown("![i](../../../../etc/passwd)", o),
                  "src=\"/alice/model/resolve/main/etc/passwd\""));
  EXPECT_TRUE(
      Has(RenderMarkdown("[c](a/../b/./c?x=1)", o), "href=\"/alice/model/blob/main/b/c?x=1\""));
  // Left alone: anchors, site paths, absolute URLs, queries.
  EXPECT_TRUE(Has(RenderMarkdown("[c](#usage)", o), "href=\"#usage\""));
  EXPECT_TRUE(Has(RenderMarkdown("[c](/bob/other)", o), "href=\"/bob/other\""));
  EXPECT_TRUE(Has(RenderMarkdown("[c](//cdn.example/x)", o), "href=\"//cdn.example/x\""));
  EXPECT_TRUE(Has(RenderMarkdown("[c](https://x.example/a)", o), "href=\"https://x.example/a\""));
  EXPECT_TRUE(
      Has(RenderMarkdown("![i](https://x.example/a.png)", o), "src=\"https://x.example/a.png\""));
  // No bases: as written.
  EXPECT_TRUE(Has(RenderMarkdown("[c](config.json)"), "href=\"config.json\""));
  // A base without its trailing slash still joins with one.
  EXPECT_TRUE(
      Has(RenderMarkdown("[c](a)", {.link_base = "/u/m/blob/main"}), "href=\"/u/m/blob/main/a\""));
}

TEST(RenderMarkdown, InvalidUtf8IsReplaced) {
  std::string html = RenderMarkdown("a\xff\xfe b\xc0");
  EXPECT_TRUE(Has(html, "\xEF\xBF\xBD"));
  EXPECT_TRUE(Lacks(html, "\xff"));
  std::string nul("a\0b", 3);
  EXPECT_TRUE(Lacks(RenderMarkdown(nul), std::string(1, '\0')));
}

// Pathological nesting must neither overflow the stack nor take quadratic time; the test only needs
// to finish (a hang fails it through the test runner's timeout).
TEST(RenderMarkdown, PathologicalInputsFinish) {
  std::vector<std::string> inputs = {
      std::string(100'000, '['),
      std::string(100'000, '>'),
      std::string(100'000, '*'),
      std::string(100'000, '_'),
      std::string(100'000, '`'),
      std::string(100'000, '<'),
      std::string(100'000, '|') + "\n" + std::string(100'000, '-'),
      std::string(50'000, '[') + std::string(50'000, ']'),
      std::string(50'000, '(') + std::string(50'000, ')'),
      [] {
        std::string s;
        for (int i = 0; i < 20'000; ++i) s += "*a **a ";
        return s;
      }(),
      [] {
        std::string s;
        for (int i = 0; i < 20'000; ++i) s += "- ";
        return s + "x";
      }(),
      [] {
        std::string s;
        for (int i = 0; i < 20'000; ++i) s += "[a](";
        return s;
      }(),
      [] {
        std::string s;
        for (int i = 0; i < 20'000; ++i) s += "![";
        return s;
      }(),
      [] {
        std::string s = "| a | b |\n|---|---|\n";
        for (int i = 0; i < 20'000; ++i) s += "| x |\n";
        return s;
      }(),
      [] {
        std::string s = "|" + std::string(5'000, 'a') + "\n";
        s += std::string(5'000, '|') + "\n";
        for (int i = 0; i < 100; ++i) s += std::string(5'000, '|') + "\n";
        return s;
      }(),
      [] {
        std::string s;
        for (int i = 0; i < 20'000; ++i) s += "www.a";
        return s + "@b.c";
      }(),
      [] {
        std::string s;
        for (int i = 0; i < 20'000; ++i) s += "[x]: /u\n";
        for (int i = 0; i < 20'000; ++i) s += "[x] ";
        return s;
      }(),
      [] {
        std::string s;
        for (int i = 0; i < 10'000; ++i) s += "~~a ";
        return s;
      }(),
  };
  for (const auto& in : inputs) {
    std::string html = RenderMarkdown(in, RepoBases());
    EXPECT_FALSE(html.empty());
  }
}

TEST(RenderMarkdown, OversizedInputIsEscapedText) {
  std::string in(kMaxMarkdownBytes + 1, 'a');
  in.replace(0, 20, "<script>alert(1)</sc");
  std::string html = RenderMarkdown(in);
  EXPECT_EQ(html.substr(0, 23), "<pre>&lt;script&gt;aler");
  ExpectInert(html);
}

TEST(RenderMarkdown, ConcurrentCallsAgree) {
  const std::string in = "| a |\n|---|\n| ~~b~~ www.example.com |\n- [x] t\n";
  const std::string expected = RenderMarkdown(in);
  std::vector<std::thread> threads;
  std::vector<std::string> got(8);
  threads.reserve(got.size());
  for (std::string& slot : got) {
    threads.emplace_back([&in, &slot] {
      for (int j = 0; j < 50; ++j) slot = RenderMarkdown(in);
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& g : got) EXPECT_EQ(g, expected);
}

}  // namespace
}  // namespace spacehub::web
