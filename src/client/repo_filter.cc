// See repo_filter.h.
#include "client/repo_filter.h"

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace spacehub::client::detail {
namespace {

// Python compares code points: decode UTF-8, keeping a byte that does not decode as one unit of
// its own (0xDC80 + byte, Python's surrogateescape), so any input still matches byte for byte.
std::u32string Decode(const std::string& s) {
  static constexpr char32_t kMin[] = {0, 0x80, 0x800, 0x10000};  // shortest form per length
  std::u32string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    auto b = static_cast<unsigned char>(s[i]);
    size_t extra = b < 0x80 ? 0 : (b & 0xE0) == 0xC0 ? 1 : (b & 0xF0) == 0xE0 ? 2 : 3;
    bool ok = b < 0x80 || ((b & 0xF8) != 0xF8 && (b & 0xC0) == 0xC0 && i + extra < s.size());
    char32_t cp = b & (0x7F >> extra);
    for (size_t k = 1; ok && k <= extra; ++k) {
      auto c = static_cast<unsigned char>(s[i + k]);
      ok = (c & 0xC0) == 0x80;
      cp = (cp << 6) | (c & 0x3F);
    }
    ok = ok && cp >= kMin[extra] && cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF);
    if (!ok) {
      out.push_back(0xDC80 + b);
      ++i;
    } else {
      out.push_back(cp);
      i += 1 + extra;
    }
  }
  return out;
}

// A `[...]` set starting at pat[open]. Returns false when the bracket is not closed (then '[' is
// an ordinary character); otherwise sets *end past the ']' and *hit to whether `c` is in the set.
// Follows fnmatch.translate step by step, quirks included: the set is cut into chunks at the
// hyphens that make ranges, a reversed range is deleted together with its two ends (so "[.-*!]"
// becomes "[!]", which Python reads as "any character"), and only then is a leading '!' a negation.
// The chunks of the set body pat[i, j): consecutive chunks are joined by a range hyphen (last
// char of one to first of next); every other character, hyphens inside a chunk included, is
// literal. A reversed range is deleted together with its two ends.
std::vector<std::u32string> SetChunks(const std::u32string& pat, size_t i, size_t j) {
  std::vector<std::u32string> chunks;
  const std::u32string body = pat.substr(i, j - i);
  if (body.find(U'-') == std::u32string::npos) {
    chunks.push_back(body);
    return chunks;
  }
  size_t from = i;
  size_t k = pat[i] == U'!' ? i + 2 : i + 1;
  while (k < j) {
    size_t dash = k;
    while (dash < j && pat[dash] != U'-') ++dash;
    if (dash >= j) break;
    chunks.push_back(pat.substr(from, dash - from));
    from = dash + 1;
    k = dash + 3;
  }
  std::u32string last = pat.substr(from, j - from);
  if (!last.empty()) {
    chunks.push_back(last);
  } else {
    chunks.back() += U'-';
  }
  for (size_t k2 = chunks.size() - 1; k2 > 0; --k2) {
    if (chunks[k2 - 1].back() > chunks[k2][0]) {
      chunks[k2 - 1] = chunks[k2 - 1].substr(0, chunks[k2 - 1].size() - 1) + chunks[k2].substr(1);
      chunks.erase(chunks.begin() + static_cast<std::ptrdiff_t>(k2));
    }
  }
  return chunks;
}

// Whether `c` is in the class the chunks make, read as Python's re reads a class body: a range
// hyphen after an item makes a range with the next one (a trailing or leading one is literal),
// and only then is a leading '!' a negation.
bool InSetChunks(const std::vector<std::u32string>& chunks, char32_t c) {
  std::vector<std::pair<char32_t, bool>> items;  // (character, is_range_hyphen)
  for (size_t k = 0; k < chunks.size(); ++k) {
    if (k > 0) items.emplace_back(U'-', true);
    for (char32_t ch : chunks[k]) items.emplace_back(ch, false);
  }
  if (items.empty()) return false;                               // empty set: never matches
  if (items.size() == 1 && items[0].first == U'!') return true;  // "negated empty set": any
  bool negate = !items[0].second && items[0].first == U'!';
  bool in = false;
  for (size_t k = negate ? 1 : 0; k < items.size(); ++k) {
    char32_t lo = items[k].first;
    if (k + 2 < items.size() && items[k + 1].second) {
      if (lo <= c && c <= items[k + 2].first) in = true;
      k += 2;
    } else if (lo == c) {
      in = true;
    }
  }
  return in != negate;
}

// A `[...]` set starting at pat[open]. Returns false when the bracket is not closed (then '[' is
// an ordinary character); otherwise sets *end past the ']' and *hit to whether `c` is in the set.
// Follows fnmatch.translate step by step, quirks included: the set is cut into chunks at the
// hyphens that make ranges, a reversed range is deleted together with its two ends (so "[.-*!]"
// becomes "[!]", which Python reads as "any character"), and only then is a leading '!' a negation.
bool MatchSet(const std::u32string& pat, size_t open, char32_t c, size_t* end, bool* hit) {
  const size_t n = pat.size();
  const size_t i = open + 1;
  size_t j = i;
  if (j < n && pat[j] == U'!') ++j;
  if (j < n && pat[j] == U']') ++j;  // a ']' right after '[' or '[!' is a member
  while (j < n && pat[j] != U']') ++j;
  if (j >= n) return false;
  *end = j + 1;
  *hit = InSetChunks(SetChunks(pat, i, j), c);
  return true;
}

// Whether pattern token at pat[p] (not '*') matches `c`; *next is the token's end.
bool MatchOne(const std::u32string& pat, size_t p, char32_t c, size_t* next) {
  if (pat[p] == U'?') {
    *next = p + 1;
    return true;
  }
  if (pat[p] == U'[') {
    bool hit = false;
    if (MatchSet(pat, p, c, next, &hit)) return hit;
  }
  *next = p + 1;
  return pat[p] == c;
}

}  // namespace

bool FnMatch(const std::string& name_utf8, const std::string& pattern_utf8) {
  const std::u32string name = Decode(name_utf8);
  const std::u32string pat = Decode(pattern_utf8);
  const size_t npos = std::u32string::npos;
  size_t p = 0, s = 0;
  // Every token but '*' consumes exactly one character, so remembering only the last '*' and
  // letting it swallow one more character on a mismatch finds a match whenever one exists.
  size_t star_p = npos, star_s = 0;
  while (s < name.size()) {
    if (p < pat.size() && pat[p] == U'*') {
      while (p < pat.size() && pat[p] == U'*') ++p;
      star_p = p;
      star_s = s;
      continue;
    }
    size_t next = 0;
    if (p < pat.size() && MatchOne(pat, p, name[s], &next)) {
      p = next;
      ++s;
      continue;
    }
    if (star_p == npos) return false;
    p = star_p;
    s = ++star_s;
  }
  while (p < pat.size() && pat[p] == U'*') ++p;
  return p == pat.size();
}

bool RepoPathSelected(const std::string& path, const std::vector<std::string>& allow,
                      const std::vector<std::string>& ignore) {
  auto any = [&](const std::vector<std::string>& patterns) {
    for (const auto& pattern : patterns) {
      bool folder = !pattern.empty() && pattern.back() == '/';
      if (FnMatch(path, folder ? pattern + "*" : pattern)) return true;
    }
    return false;
  };
  if (!allow.empty() && !any(allow)) return false;
  return !any(ignore);
}

}  // namespace spacehub::client::detail
