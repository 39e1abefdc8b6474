// Path patterns as git uses them in .gitattributes and .gitignore: a pattern without '/' matches
// the file name at any depth, one with '/' matches the whole path from the root, '**' spans
// directories. Used to decide which files go to LFS (`filter=lfs`) and which uploads to ignore.
// Immutable after construction; thread-safe for const use.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace spacehub::service {

bool MatchPathPattern(std::string_view pattern, std::string_view path);

class PathPatterns final {
 public:
  // Patterns from a .gitattributes text whose attributes set `filter=lfs` (and not unset later).
  static PathPatterns LfsFromGitattributes(std::string_view text);
  // Patterns from a .gitignore text (negations with '!' are honoured, last match wins).
  static PathPatterns FromGitignore(std::string_view text);

  bool Matches(std::string_view path) const;
  bool empty() const { return rules_.empty(); }

 private:
  struct Rule {
    std::string pattern;
    bool positive = true;
    bool dir_only = false;
  };
  std::vector<Rule> rules_;
};

}  // namespace spacehub::service
