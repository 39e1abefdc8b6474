// Tests for the RateLimit / RateLimit-Policy header parsing (huggingface_hub 1.3.7's
// parse_ratelimit_headers) and the retry wait it leads to.
#include "client/rate_limit.h"

#include <gtest/gtest.h>

#include "client/http.h"

namespace spacehub::client::detail {
namespace {

TEST(RateLimitTest, ParsesTheItemAndThePolicy) {
  struct Case {
    const char* ratelimit;
    const char* policy;
    bool ok;
    const char* type;
    int64_t r, t, q, w;  // q/w -1 = absent
  } cases[] = {
      {R"("api";r=0;t=55)", R"("fixed window";"api";q=500;w=300)", true, "api", 0, 55, 500, 300},
      {R"("api";r=0;t=55)", "", true, "api", 0, 55, -1, -1},
      {R"( "resolvers" ; r = 12 ; t = 3 )", "q=10, w=60", true, "resolvers", 12, 3, 10, 60},
      {R"("fixed window", "api";r=1;t=9)", "", true, "api", 1, 9, -1, -1},  // first match wins
      {R"("api";r=0;t=55)", "q=500", true, "api", 0, 55, -1, -1},           // policy without w
      {R"("api";t=55;r=0)", "", false, "", 0, 0, 0, 0},  // order matters (as in Python)
      {R"(api;r=0;t=55)", "", false, "", 0, 0, 0, 0},    // the name must be quoted
      {R"("api";r=x;t=55)", "", false, "", 0, 0, 0, 0},
      {R"("a-b";r=0;t=5)", "", false, "", 0, 0, 0, 0},  // \w+ has no '-'
      {"", "q=1;w=2", false, "", 0, 0, 0, 0},
  };
  for (const auto& c : cases) {
    auto info = ParseRateLimit(c.ratelimit, c.policy);
    ASSERT_EQ(info.has_value(), c.ok) << c.ratelimit;
    if (!c.ok) continue;
    EXPECT_EQ(info->resource_type, c.type) << c.ratelimit;
    EXPECT_EQ(info->remaining, c.r) << c.ratelimit;
    EXPECT_EQ(info->reset_in_seconds, c.t) << c.ratelimit;
    EXPECT_EQ(info->limit.value_or(-1), c.q) << c.policy;
    EXPECT_EQ(info->window_seconds.value_or(-1), c.w) << c.policy;
  }
}

TEST(RateLimitTest, DescribesLikeThePythonClient) {
  auto full = ParseRateLimit(R"("api";r=0;t=55)", R"("fixed window";"api";q=500;w=300)");
  EXPECT_EQ(DescribeRateLimit(*full),
            "you have reached your 'api' rate limit. Retry after 55 seconds (0/500 requests "
            "remaining in current 300s window).");
  auto bare = ParseRateLimit(R"("api";r=0;t=7)", "");
  EXPECT_EQ(DescribeRateLimit(*bare),
            "you have reached your 'api' rate limit. Retry after 7 seconds.");
}

TEST(RateLimitTest, A429WaitsForTheResetPlusOneSecond) {
  HttpResponse r;
  r.status = 429;
  r.headers["ratelimit"] = R"("api";r=0;t=55)";
  r.headers["retry-after"] = "2";
  EXPECT_EQ(RetryDelay(0, r).count(), 56000);  // RateLimit first, as http_backoff reads only it
  r.headers["ratelimit"] = R"("api";r=0;t=0)";
  EXPECT_EQ(RetryDelay(3, r).count(), 1000);
  r.headers["ratelimit"] = R"("api";r=0;t=99999)";
  EXPECT_EQ(RetryDelay(0, r).count(), 300000);  // bounded like Retry-After
  r.headers["ratelimit"] = "garbage";
  EXPECT_EQ(RetryDelay(0, r).count(), 2000);  // falls back to Retry-After
  r.headers.erase("retry-after");
  EXPECT_EQ(RetryDelay(2, r).count(), 4000);  // then to the backoff
  r.status = 503;                             // the rate-limit headers are read on 429s only
  r.headers["ratelimit"] = R"("api";r=0;t=55)";
  EXPECT_EQ(RetryDelay(1, r).count(), 2000);
}

}  // namespace
}  // namespace spacehub::client::detail
