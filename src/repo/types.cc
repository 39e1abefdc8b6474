#include "repo/types.h"

#include <charconv>

#include "core/crypto.h"

namespace spacehub::repo {
namespace {

constexpr size_t kMaxPointerSize = 1024;
constexpr std::string_view kVersionLine = "version https://git-lfs.github.com/spec/v1";
// Pointers written by git-lfs before 1.0 (the "hawser" prototype) are still valid per the spec.
constexpr std::string_view kLegacyVersionLine = "version https://hawser.github.com/spec/v1";

// Pops the next '\n'-terminated line; false when there is no terminated line left.
bool NextLine(std::string_view& rest, std::string_view& line) {
  size_t nl = rest.find('\n');
  if (nl == std::string_view::npos) return false;
  line = rest.substr(0, nl);
  rest.remove_prefix(nl + 1);
  return true;
}

}  // namespace

// Strict reading of the git-lfs v1 pointer format: exactly the three keys version, oid, size in
// that order, each line '\n'-terminated, nothing else. Pointers with extensions (ext-N-*) are
// rejected; the Hub never produces them.
std::optional<LfsPointer> ParseLfsPointer(std::string_view blob) {
  if (blob.size() > kMaxPointerSize) return std::nullopt;
  std::string_view line;
  if (!NextLine(blob, line) || (line != kVersionLine && line != kLegacyVersionLine)) {
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
  if (!blob.empty()) return std::nullopt;
  return LfsPointer{std::string(oid), size};
}

std::string FormatLfsPointer(const LfsPointer& p) {
  std::string out(kVersionLine);
  out += "\noid sha256:";
  out += p.oid;
  out += "\nsize ";
  out += std::to_string(p.size);
  out += '\n';
  return out;
}

}  // namespace spacehub::repo
