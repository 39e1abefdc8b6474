// Single byte-range parsing; see range.h.
#include "http/range.h"

#include <strings.h>

#include <algorithm>
#include <optional>

namespace spacehub::http {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Digits only, of any length: a value past 2^64 - 1 saturates, which is past any body (RFC 9110
// §14.1.2: a last-pos beyond the end means the end; a first-pos beyond it is unsatisfiable).
std::optional<uint64_t> ParseNumber(std::string_view s) {
  if (s.empty()) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    const uint64_t d = static_cast<uint64_t>(c - '0');
    v = v > (UINT64_MAX - d) / 10 ? UINT64_MAX : v * 10 + d;
  }
  return v;
}

}  // namespace

ByteRange ParseRange(std::string_view header, uint64_t total) {
  ByteRange out;
  header = Trim(header);
  constexpr std::string_view kPrefix = "bytes=";
  if (header.size() < kPrefix.size() ||
      ::strncasecmp(header.data(), kPrefix.data(), kPrefix.size()) != 0) {
    return out;
  }
  std::string_view spec = Trim(header.substr(kPrefix.size()));
  if (spec.find(',') != std::string_view::npos) return out;  // multiple ranges: ignored
  size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return out;
  std::string_view a = Trim(spec.substr(0, dash));
  std::string_view b = Trim(spec.substr(dash + 1));

  if (a.empty()) {  // suffix range "-n"
    std::optional<uint64_t> n = ParseNumber(b);
    if (!n) return out;
    if (*n == 0 || total == 0) {
      out.kind = ByteRange::Kind::kUnsatisfiable;
      return out;
    }
    out.kind = ByteRange::Kind::kSatisfiable;
    out.length = std::min(*n, total);
    out.first = total - out.length;
    return out;
  }
  std::optional<uint64_t> first = ParseNumber(a);
  if (!first) return out;
  uint64_t last = total == 0 ? 0 : total - 1;
  if (!b.empty()) {
    std::optional<uint64_t> l = ParseNumber(b);
    if (!l || *l < *first) return out;  // syntactically invalid: ignored
    last = std::min(*l, last);
  }
  if (*first >= total) {
    out.kind = ByteRange::Kind::kUnsatisfiable;
    return out;
  }
  out.kind = ByteRange::Kind::kSatisfiable;
  out.first = *first;
  out.length = last - *first + 1;
  return out;
}

}  // namespace spacehub::http
