#include "service/space_rules.h"

#include <array>

namespace spacehub::service {
namespace {

constexpr std::array<std::string_view, 3> kTiers = {"small", "medium", "large"};

int TierRank(std::string_view tier) {
  for (size_t i = 0; i < kTiers.size(); ++i) {
    if (kTiers[i] == tier) return static_cast<int>(i) + 1;
  }
  return 0;
}

}  // namespace

Result<std::optional<int64_t>> ValidateSleepTime(std::optional<int64_t> seconds,
                                                 const Flavor& flavor, int64_t min_seconds) {
  bool never = !seconds || *seconds == -1;
  if (flavor.free) {
    if (!never && *seconds == kFreeSleepSeconds) return std::optional<int64_t>();
    return Status::InvalidArgument(
        "A Space on '" + flavor.name +
        "' (free hardware) sleeps after 48 hours (172800 seconds) without visitors; this is not "
        "configurable. Request upgraded hardware to set a custom sleep time.");
  }
  if (never) return std::optional<int64_t>();
  if (*seconds < min_seconds) {
    return Status::InvalidArgument("The sleep time must be -1 (never) or at least " +
                                   std::to_string(min_seconds) + " seconds, got " +
                                   std::to_string(*seconds));
  }
  return seconds;
}

std::optional<int64_t> EffectiveSleepTime(const Flavor& flavor, std::optional<int64_t> stored) {
  if (flavor.free) return kFreeSleepSeconds;
  return stored;
}

Status ValidateStorageTier(std::string_view tier) {
  if (TierRank(tier) > 0) return Status::Ok();
  return Status::InvalidArgument("Invalid storage tier '" + std::string(tier) +
                                 "': expected small, medium or large");
}

Status CheckStorageChange(std::string_view current, std::string_view requested) {
  SH_TRY(ValidateStorageTier(requested));
  if (current.empty() || TierRank(requested) >= TierRank(current)) return Status::Ok();
  return Status::InvalidArgument(
      "Persistent storage cannot be lowered from '" + std::string(current) + "' to '" +
      std::string(requested) +
      "'. Delete the storage first (DELETE .../storage; all its data is lost), then request the "
      "new tier.");
}

Status ValidateEntryKey(std::string_view key) {
  bool ok = !key.empty() && key.size() <= 256 &&
            ((key[0] >= 'a' && key[0] <= 'z') || (key[0] >= 'A' && key[0] <= 'Z'));
  for (char c : key) {
    ok = ok &&
         ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_');
  }
  if (ok) return Status::Ok();
  return Status::InvalidArgument("Invalid key '" + std::string(key) +
                                 "': it must start with a letter and contain only letters, digits "
                                 "and '_' (it becomes an environment variable)");
}

}  // namespace spacehub::service
