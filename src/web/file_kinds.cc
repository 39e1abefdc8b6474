#include "web/file_kinds.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace spacehub::web {
namespace {

struct Mapping {
  std::string_view key;
  std::string_view language;
};

// Extensions (lowercase, without the dot) to the languages bundled in highlight.min.js (its
// "common" set; a name outside it would make highlight.js warn): Dockerfiles read well enough as
// bash.
constexpr Mapping kByExtension[] = {
    {"py", "python"},
    {"pyi", "python"},
    {"ipynb", "json"},
    {"js", "javascript"},
    {"mjs", "javascript"},
    {"cjs", "javascript"},
    {"jsx", "javascript"},
    {"ts", "typescript"},
    {"tsx", "typescript"},
    {"json", "json"},
    {"jsonl", "json"},
    {"yaml", "yaml"},
    {"yml", "yaml"},
    {"toml", "ini"},
    {"ini", "ini"},
    {"cfg", "ini"},
    {"md", "markdown"},
    {"markdown", "markdown"},
    {"html", "xml"},
    {"htm", "xml"},
    {"xml", "xml"},
    {"svg", "xml"},
    {"css", "css"},
    {"scss", "scss"},
    {"sh", "bash"},
    {"bash", "bash"},
    {"zsh", "bash"},
    {"c", "c"},
    {"h", "c"},
    {"cc", "cpp"},
    {"cpp", "cpp"},
    {"cxx", "cpp"},
    {"hpp", "cpp"},
    {"hh", "cpp"},
    {"cu", "cpp"},
    {"rs", "rust"},
    {"go", "go"},
    {"java", "java"},
    {"kt", "kotlin"},
    {"swift", "swift"},
    {"rb", "ruby"},
    {"php", "php"},
    {"pl", "perl"},
    {"lua", "lua"},
    {"r", "r"},
    {"sql", "sql"},
    {"diff", "diff"},
    {"patch", "diff"},
    {"csv", "plaintext"},
    {"tsv", "plaintext"},
    {"txt", "plaintext"},
    {"cs", "csharp"},
    {"dockerfile", "bash"},
    {"mk", "makefile"},
    {"cmake", "plaintext"},
    {"proto", "plaintext"},
};

// Whole file names (lowercase) that say their language without an extension.
constexpr Mapping kByName[] = {
    {"dockerfile", "bash"},          {"makefile", "makefile"},    {"cmakelists.txt", "plaintext"},
    {".gitattributes", "plaintext"}, {".gitignore", "plaintext"}, {"requirements.txt", "plaintext"},
};

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

std::string_view HighlightLanguage(std::string_view path) {
  size_t slash = path.rfind('/');
  const std::string name = Lower(slash == std::string_view::npos ? path : path.substr(slash + 1));
  for (const auto& m : kByName) {
    if (name == m.key) return m.language;
  }
  size_t dot = name.rfind('.');
  if (dot == std::string::npos || dot + 1 == name.size()) return "";
  const std::string_view ext = std::string_view{name}.substr(dot + 1);
  for (const auto& m : kByExtension) {
    if (ext == m.key) return m.language;
  }
  return "";
}

bool IsMarkdownPath(std::string_view path) {
  const std::string lower = Lower(path);
  auto ends = [&](std::string_view suffix) {
    return lower.size() > suffix.size() &&
           std::string_view{lower}.substr(lower.size() - suffix.size()) == suffix;
  };
  return ends(".md") || ends(".markdown");
}

bool LooksBinary(std::string_view data) {
  return data.substr(0, 8000).find('\0') != std::string_view::npos;
}

}  // namespace spacehub::web
