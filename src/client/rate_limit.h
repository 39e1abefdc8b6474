// The Hub's rate-limit headers (IETF draft-ietf-httpapi-ratelimit-headers-09, the subset
// huggingface_hub 1.3.7 reads in utils/_http.py):
//   RateLimit: "api";r=0;t=55                            resource, requests left, seconds to reset
//   RateLimit-Policy: "fixed window";"api";q=500;w=300   quota and window length
// The Python client waits t + 1 seconds before retrying a 429 that carries them, and names them
// in the 429's error message. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace spacehub::client::detail {

struct RateLimitInfo {
  std::string resource_type;              // "api", "resolvers", …
  int64_t remaining = 0;                  // r
  int64_t reset_in_seconds = 0;           // t
  std::optional<int64_t> limit;           // q, from RateLimit-Policy
  std::optional<int64_t> window_seconds;  // w, from RateLimit-Policy
};

// nullopt when `ratelimit` is empty or holds no `"<word>";r=<n>;t=<n>` item. `policy` may be "".
std::optional<RateLimitInfo> ParseRateLimit(const std::string& ratelimit,
                                            const std::string& policy);

// huggingface_hub's wording for a 429 with rate-limit headers, e.g. "you have reached your 'api'
// rate limit. Retry after 55 seconds (0/500 requests remaining in current 300s window)."
std::string DescribeRateLimit(const RateLimitInfo& info);

}  // namespace spacehub::client::detail
