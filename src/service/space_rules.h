// The Hub's rules for Space settings, as pure functions (unit-tested without a hub): sleep time per
// flavor, storage tiers, secret and variable names.
// Stateless; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "service/hardware_catalog.h"

namespace spacehub::service {

// Free hardware sleeps after 48 h without visitors; that is not configurable.
constexpr int64_t kFreeSleepSeconds = 48 * 3600;
constexpr int64_t kDefaultMinSleepSeconds = 5 * 60;

// A requested sleep time: nullopt (JSON null) or -1 mean "never sleep". Returns what to store
// (nullopt: never / the flavor's default). On a free flavor any custom value is refused (400)
// except the fixed default itself; elsewhere a value must be at least `min_seconds`.
Result<std::optional<int64_t>> ValidateSleepTime(std::optional<int64_t> seconds,
                                                 const Flavor& flavor, int64_t min_seconds);
// The sleep time in effect (`gcTimeout`): the fixed default on free flavors, else the stored value
// (nullopt: never sleeps).
std::optional<int64_t> EffectiveSleepTime(const Flavor& flavor, std::optional<int64_t> stored);

// "small" < "medium" < "large"; anything else is a 400 listing the tiers.
Status ValidateStorageTier(std::string_view tier);
// Raising or keeping a tier is allowed; lowering is a 400 that says to delete the storage first.
// `current` is "" when the Space has no storage.
Status CheckStorageChange(std::string_view current, std::string_view requested);

// Secret and variable names are environment variable names: a letter, then letters, digits, '_'.
Status ValidateEntryKey(std::string_view key);

}  // namespace spacehub::service
