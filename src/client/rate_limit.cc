// See rate_limit.h. Hand-written scanning instead of <regex>: the patterns are tiny and the
// parse runs on every 429.
#include "client/rate_limit.h"

#include <cctype>

namespace spacehub::client::detail {
namespace {

void SkipSpaces(const std::string& s, size_t* i) {
  while (*i < s.size() && (s[*i] == ' ' || s[*i] == '\t')) ++*i;
}

bool Expect(const std::string& s, size_t* i, char c) {
  SkipSpaces(s, i);
  if (*i >= s.size() || s[*i] != c) return false;
  ++*i;
  return true;
}

// One or more digits (the Python pattern's \d+), capped so an absurd value cannot overflow.
std::optional<int64_t> Digits(const std::string& s, size_t* i) {
  SkipSpaces(s, i);
  size_t start = *i;
  int64_t v = 0;
  while (*i < s.size() && std::isdigit(static_cast<unsigned char>(s[*i]))) {
    if (v < (int64_t{1} << 40)) v = v * 10 + (s[*i] - '0');
    ++*i;
  }
  if (*i == start) return std::nullopt;
  return v;
}

// `<key>=<digits>` with optional spaces around '='.
std::optional<int64_t> KeyValue(const std::string& s, size_t* i, char key) {
  if (!Expect(s, i, key) || !Expect(s, i, '=')) return std::nullopt;
  return Digits(s, i);
}

bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Tries `"<word>";r=<n>;t=<n>` at position `at`.
std::optional<RateLimitInfo> ItemAt(const std::string& s, size_t at) {
  size_t i = at + 1;  // past the opening quote
  size_t start = i;
  while (i < s.size() && IsWordChar(s[i])) ++i;
  if (i == start || i >= s.size() || s[i] != '"') return std::nullopt;
  RateLimitInfo info;
  info.resource_type = s.substr(start, i - start);
  ++i;
  if (!Expect(s, &i, ';')) return std::nullopt;
  auto r = KeyValue(s, &i, 'r');
  if (!r || !Expect(s, &i, ';')) return std::nullopt;
  auto t = KeyValue(s, &i, 't');
  if (!t) return std::nullopt;
  info.remaining = *r;
  info.reset_in_seconds = *t;
  return info;
}

}  // namespace

std::optional<RateLimitInfo> ParseRateLimit(const std::string& ratelimit,
                                            const std::string& policy) {
  std::optional<RateLimitInfo> info;
  for (size_t q = ratelimit.find('"'); q != std::string::npos && !info;
       q = ratelimit.find('"', q + 1)) {
    info = ItemAt(ratelimit, q);  // like re.search: the first place the pattern matches
  }
  if (!info) return std::nullopt;
  // The policy: the first "q=<n>" followed, anywhere later, by "w=<n>".
  for (size_t i = policy.find('q'); i != std::string::npos; i = policy.find('q', i + 1)) {
    size_t j = i;
    auto q = KeyValue(policy, &j, 'q');
    if (!q) continue;
    for (size_t k = policy.find('w', j); k != std::string::npos; k = policy.find('w', k + 1)) {
      size_t m = k;
      if (auto w = KeyValue(policy, &m, 'w')) {
        info->limit = q;
        info->window_seconds = w;
        return info;
      }
    }
  }
  return info;
}

std::string DescribeRateLimit(const RateLimitInfo& info) {
  std::string out = "you have reached your '" + info.resource_type + "' rate limit. Retry after " +
                    std::to_string(info.reset_in_seconds) + " seconds";
  if (info.limit && info.window_seconds) {
    out += " (" + std::to_string(info.remaining) + "/" + std::to_string(*info.limit) +
           " requests remaining in current " + std::to_string(*info.window_seconds) + "s window).";
  } else {
    out += ".";
  }
  return out;
}

}  // namespace spacehub::client::detail
