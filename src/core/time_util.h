// Wall-clock helpers and the one date format the Hub clients accept everywhere:
// ISO-8601 UTC with milliseconds and a trailing 'Z' (v0.17 clients parse exactly this).
// Stateless; safe from any thread.
#pragma once

#include <cstdint>
#include <string>

namespace spacehub {

int64_t NowMillis();
// 1700000000123 -> "2023-11-14T22:13:20.123Z"
std::string FormatIsoMillis(int64_t epoch_millis);

}  // namespace spacehub
