// Guarded: calls into code the http layer does not trust to be exception-free (route handlers,
// body sinks and sources). An exception becomes a logged 500 for that request instead of ending
// the connection's coroutine. Internal to the http layer; any thread.
#pragma once

#include <exception>
#include <string_view>
#include <type_traits>

#include "core/log.h"
#include "core/status.h"
#include "http/response.h"

namespace spacehub::http {

// `call()`, or, when it throws, "internal error" as its result type (a Response, a Status or a
// Result). `what` names the callee in the log line; `request_id` may be empty.
template <class F>
auto Guarded(std::string_view what, std::string_view request_id, F&& call) -> decltype(call()) {
  using T = decltype(call());
  try {
    return call();
  } catch (const std::exception& e) {
    spdlog::error("{} threw rid={} what={}", what, request_id, e.what());
  } catch (...) {
    spdlog::error("{} threw rid={} (unknown exception)", what, request_id);
  }
  if constexpr (std::is_same_v<T, Response>) {
    return Response::Error(Status::Internal("internal error"));
  } else {
    return T(Status::Internal("internal error"));
  }
}

}  // namespace spacehub::http
