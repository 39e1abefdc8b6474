#include "service/path_patterns.h"

#include <fnmatch.h>

#include <sstream>

namespace spacehub::service {
namespace {

// fnmatch(3) with FNM_PATHNAME does not know '**'; expand it by trying every split point.
bool GlobMatch(const std::string& pattern, const std::string& path) {
  size_t star2 = pattern.find("**");
  if (star2 == std::string::npos) return fnmatch(pattern.c_str(), path.c_str(), FNM_PATHNAME) == 0;
  std::string head = pattern.substr(0, star2);
  std::string tail = pattern.substr(star2 + 2);
  if (!tail.empty() && tail.front() == '/') tail.erase(0, 1);
  // head must match a prefix of path ending at a '/' boundary (or be empty).
  for (size_t i = 0; i <= path.size(); ++i) {
    if (i != 0 && i != path.size() && path[i - 1] != '/') continue;
    std::string prefix = path.substr(0, i);
    if (!head.empty() && fnmatch(head.c_str(), prefix.c_str(), FNM_PATHNAME) != 0) continue;
    std::string rest = path.substr(i);
    if (tail.empty()) return true;
    for (size_t j = 0; j <= rest.size(); ++j) {
      if (j != 0 && rest[j - 1] != '/') continue;
      if (GlobMatch(tail, rest.substr(j))) return true;
    }
  }
  return false;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

bool MatchPathPattern(std::string_view pattern_view, std::string_view path_view) {
  std::string pattern(pattern_view);
  std::string path(path_view);
  if (!pattern.empty() && pattern.front() == '/') return GlobMatch(pattern.substr(1), path);
  if (pattern.find('/') == std::string::npos) {
    size_t slash = path.rfind('/');
    return GlobMatch(pattern, slash == std::string::npos ? path : path.substr(slash + 1));
  }
  return GlobMatch(pattern, path);
}

PathPatterns PathPatterns::LfsFromGitattributes(std::string_view text) {
  PathPatterns out;
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    std::string_view l = Trim(line);
    if (l.empty() || l.front() == '#') continue;
    size_t sp = l.find_first_of(" \t");
    if (sp == std::string_view::npos) continue;
    std::string pattern(l.substr(0, sp));
    std::istringstream attrs{std::string(l.substr(sp + 1))};
    std::string attr;
    int verdict = 0;  // 1: filter=lfs, -1: filter unset or another filter
    while (attrs >> attr) {
      if (attr == "filter=lfs")
        verdict = 1;
      else if (attr == "-filter" || attr == "!filter" || attr.rfind("filter=", 0) == 0)
        verdict = -1;
    }
    if (verdict != 0) out.rules_.push_back({pattern, verdict == 1, false});
  }
  return out;
}

PathPatterns PathPatterns::FromGitignore(std::string_view text) {
  PathPatterns out;
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    std::string_view l = Trim(line);
    if (l.empty() || l.front() == '#') continue;
    Rule r;
    if (l.front() == '!') {
      r.positive = false;
      l.remove_prefix(1);
    }
    if (!l.empty() && l.back() == '/') {
      r.dir_only = true;
      l.remove_suffix(1);
    }
    if (l.empty()) continue;
    r.pattern = std::string(l);
    out.rules_.push_back(std::move(r));
  }
  return out;
}

bool PathPatterns::Matches(std::string_view path) const {
  bool matched = false;
  for (const auto& r : rules_) {
    bool hit = false;
    if (r.dir_only) {
      // A directory pattern matches any file below a matching directory.
      for (size_t i = path.find('/'); i != std::string_view::npos; i = path.find('/', i + 1)) {
        if (MatchPathPattern(r.pattern, path.substr(0, i))) {
          hit = true;
          break;
        }
      }
    } else {
      hit = MatchPathPattern(r.pattern, path);
      for (size_t i = path.find('/'); !hit && i != std::string_view::npos;
           i = path.find('/', i + 1)) {
        // gitignore: ignoring a directory ignores everything in it.
        hit = r.positive && MatchPathPattern(r.pattern, path.substr(0, i)) &&
              r.pattern.find('*') == std::string::npos;
      }
    }
    if (hit) matched = r.positive;
  }
  return matched;
}

}  // namespace spacehub::service
