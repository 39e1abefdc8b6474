#include "core/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>

#include <chrono>
#include <cstdio>

namespace spacehub {

void InitLogging(std::string_view level) {
  // One access-log line per request: an unbuffered stderr would cost a write(2) each. Buffer it and
  // flush every second, and at once for warnings and errors.
  std::setvbuf(stderr, nullptr, _IOFBF, 1 << 16);
  auto logger = spdlog::stderr_color_mt("spacehub");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
  logger->set_level(spdlog::level::from_str(std::string(level)));
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
  spdlog::flush_every(std::chrono::seconds(1));
}

}  // namespace spacehub
