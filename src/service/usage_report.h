// The hardware usage report (issue #16): flavor-seconds per owner, flavor and kind (Space or job)
// from the usage records (db/job_store.h), priced with each flavor's price_per_hour from
// hardware.yaml. A record still open counts until `now`; one that began before `since` counts from
// `since`. What `spacehub admin usage` prints and the admin pages can show. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "db/job_store.h"
#include "service/hardware_catalog.h"

namespace spacehub::service {

struct UsageLine {
  std::string owner;
  std::string flavor;
  std::string kind;  // "space" | "job"
  int64_t runs = 0;
  int64_t seconds = 0;
  std::optional<double> cost;  // in the catalog's currency; none: the flavor has no price
};

// Sorted by owner, flavor, kind.
std::vector<UsageLine> SummarizeUsage(const std::vector<db::UsageRecord>& records,
                                      const CatalogData& catalog, int64_t since, int64_t now);

// `--since`: "2026-11-01", "2026-11-01T12:00:00Z", or a span back from `now` ("30d", "12h").
Result<int64_t> ParseSince(const std::string& text, int64_t now);

}  // namespace spacehub::service
