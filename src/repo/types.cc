#include "repo/types.h"

#include <array>
#include <charconv>
#include <cstdint>

#include "core/crypto.h"

namespace spacehub::repo {
namespace {

constexpr size_t kMaxPointerSize = 1024;
constexpr std::string_view kCurrentVersion = "https://git-lfs.github.com/spec/v1";
// Pointers written before git-lfs 1.0 ("hawser", and its alpha "git-media") are still valid:
// git-lfs accepts all three, so the hub must recognise all three wherever it looks for pointers.
constexpr std::array<std::string_view, 3> kVersions = {
    kCurrentVersion, "https://hawser.github.com/spec/v1", "http://git-media.io/v/2"};

// Pops the next '\n'-terminated line; false when there is no terminated line left.
bool NextLine(std::string_view& rest, std::string_view& line) {
  size_t nl = rest.find('\n');
  if (nl == std::string_view::npos) return false;
  line = rest.substr(0, nl);
  rest.remove_prefix(nl + 1);
  return true;
}

// Length of the whitespace character (Go's unicode.IsSpace, UTF-8 encoded) that starts `s`, or 0.
// git-lfs trims with bytes.TrimSpace, which knows these.
size_t SpaceAtFront(std::string_view s) {
  if (s.empty()) return 0;
  auto b = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  if (std::string_view(" \t\n\v\f\r").find(s[0]) != std::string_view::npos) return 1;
  if (s.size() >= 2 && b(0) == 0xC2 && (b(1) == 0x85 || b(1) == 0xA0)) return 2;
  if (s.size() < 3) return 0;
  if ((b(0) & 0xF0) != 0xE0 || (b(1) & 0xC0) != 0x80 || (b(2) & 0xC0) != 0x80) return 0;
  uint32_t cp = ((b(0) & 0x0Fu) << 12) | ((b(1) & 0x3Fu) << 6) | (b(2) & 0x3Fu);
  bool space = cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 ||
               cp == 0x202F || cp == 0x205F || cp == 0x3000;
  return space ? 3 : 0;
}

std::string_view TrimSpace(std::string_view s) {
  while (size_t n = SpaceAtFront(s)) s.remove_prefix(n);
  for (bool trimmed = true; trimmed && !s.empty();) {
    trimmed = false;
    for (size_t n = 1; n <= 3 && n <= s.size(); ++n) {
      if (SpaceAtFront(s.substr(s.size() - n)) == n) {
        s.remove_suffix(n);
        trimmed = true;
        break;
      }
    }
  }
  return s;
}

// git-lfs's extension keys: "ext-<digit>-<word characters>" (a prefix match, as git-lfs does it).
bool IsExtensionKey(std::string_view key) {
  if (key.size() < 7 || !key.starts_with("ext-") || key[4] < '0' || key[4] > '9' || key[5] != '-') {
    return false;
  }
  char c = key[6];
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

// Go's strconv.ParseInt(s, 10, 64) followed by git-lfs's "size >= 0".
std::optional<uint64_t> ParseGoSize(std::string_view s) {
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return std::nullopt;
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  if (v > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  if (negative && v != 0) return std::nullopt;
  return v;
}

}  // namespace

bool IsLfsPointerVersion(std::string_view url) {
  for (std::string_view v : kVersions) {
    if (url == v) return true;
  }
  return false;
}

// Strict reading of the git-lfs v1 pointer format: exactly the three keys version, oid, size in
// that order, each line '\n'-terminated, nothing else. Pointers with extensions (ext-N-*) are
// rejected; the Hub never produces them.
std::optional<LfsPointer> ParseLfsPointer(std::string_view blob) {
  if (blob.size() > kMaxPointerSize) return std::nullopt;
  std::string_view line;
  constexpr std::string_view kVersionKey = "version ";
  if (!NextLine(blob, line) || !line.starts_with(kVersionKey) ||
      !IsLfsPointerVersion(line.substr(kVersionKey.size()))) {
    return std::nullopt;
  }
  constexpr std::string_view kOidPrefix = "oid sha256:";
  if (!NextLine(blob, line) || !line.starts_with(kOidPrefix)) return std::nullopt;
  std::string_view oid = line.substr(kOidPrefix.size());
  if (!IsHex(oid, 64)) return std::nullopt;
  constexpr std::string_view kSizePrefix = "size ";
  if (!NextLine(blob, line) || !line.starts_with(kSizePrefix)) return std::nullopt;
  std::string_view digits = line.substr(kSizePrefix.size());
  if (digits.empty() || (digits.size() > 1 && digits[0] == '0')) return std::nullopt;
  uint64_t size = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), size);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  // git-lfs reads sizes as int64: a larger one is no pointer to it, so none to the hub either
  // (this reading must stay within DetectLfsPointer's).
  if (size > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  if (!blob.empty()) return std::nullopt;
  return LfsPointer{std::string(oid), size};
}

// git-lfs's own reading (lfs/pointer.go, DecodeFrom + decodeKV): the first 1024 bytes, trimmed;
// lines split on '\n' with one trailing '\r' dropped; blank lines skipped; each line "key value"
// split at the first space; the keys version, oid, size in that order, with ext-N-name lines
// allowed before size; nothing after size.
std::optional<LfsPointer> DetectLfsPointer(std::string_view blob) {
  std::string_view rest = TrimSpace(blob.substr(0, kMaxPointerSize));
  constexpr std::array<std::string_view, 3> kKeys = {"version", "oid", "size"};
  std::array<std::string_view, 3> values;
  size_t found = 0;
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    size_t sp = line.find(' ');
    if (sp == std::string_view::npos) return std::nullopt;
    std::string_view key = line.substr(0, sp);
    if (found == kKeys.size()) return std::nullopt;
    if (key != kKeys[found]) {
      if (!IsExtensionKey(key)) return std::nullopt;
      continue;
    }
    values[found++] = line.substr(sp + 1);
  }
  if (found < 2 || !IsLfsPointerVersion(values[0])) return std::nullopt;
  constexpr std::string_view kSha256 = "sha256:";
  if (!values[1].starts_with(kSha256)) return std::nullopt;
  std::string_view oid = values[1].substr(kSha256.size());
  if (!IsHex(oid, 64)) return std::nullopt;
  auto size = ParseGoSize(values[2]);  // empty when the size line is missing: not a pointer
  if (!size) return std::nullopt;
  return LfsPointer{std::string(oid), *size};
}

std::string FormatLfsPointer(const LfsPointer& p) {
  std::string out = "version ";
  out += kCurrentVersion;
  out += "\noid sha256:";
  out += p.oid;
  out += "\nsize ";
  out += std::to_string(p.size);
  out += '\n';
  return out;
}

}  // namespace spacehub::repo
