// Logging setup. Everything logs through spdlog; lines are structured as `key=value` pairs after
// the message (e.g. `request done rid=... method=GET path=... status=200 ms=3`) so they can be
// grepped and parsed. Secrets must never be passed to a logger: callers log ids, never values.
// InitLogging is called once at start-up, before threads; logging itself is thread-safe.
#pragma once

#include <spdlog/spdlog.h>

#include <string_view>

namespace spacehub {

// level: "trace", "debug", "info", "warn", "error". Logs go to stderr.
void InitLogging(std::string_view level);

}  // namespace spacehub
