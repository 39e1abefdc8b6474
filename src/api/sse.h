// Server-sent events for the API's streams (Space events, build and run logs, metrics): the
// `data: {json}` framing the Hub's clients parse, the `?tail=N` parameter, and a streaming body
// that follows a live source without holding an I/O thread (http::BodySource::kNotYet).
// Pure helpers, plus SseFollowBody, which is owned by one response.
#pragma once

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/result.h"
#include "http/request.h"
#include "http/response.h"

namespace spacehub::api {

// `?tail=N`: how many of the newest entries to send (a positive integer, capped at `max`;
// 1000 when absent).
Result<size_t> TailParam(const http::Request& req, size_t max);

// `?follow=`: whether a stream stays open for what comes next (default `dflt`).
Result<bool> FollowParam(const http::Request& req, bool dflt);

// One event: "data: {json}\n\n", preceded by "event: <name>\n" when a name is given.
std::string SseEvent(const nlohmann::json& value, const std::string& event = "");

// A complete SSE response: one event per item, then the end.
http::Response SseResponse(const std::vector<nlohmann::json>& events);

// A followed SSE response: `first` goes out at once; then `poll` is asked for more every interval
// (each call returns events, possibly none) while `live` says more may come; a `: keep-alive`
// comment every 30 s of silence lets either side notice a dead peer. Ends when `live` is false
// (after a last poll) or when the hub stops.
struct SseFollow {
  std::string event;  // the events' name ("metric"); empty: unnamed
  std::string first;
  std::function<std::vector<nlohmann::json>()> poll;
  std::function<bool()> live;
  std::chrono::milliseconds interval{250};
};
http::Response SseFollowResponse(SseFollow follow);

}  // namespace spacehub::api
