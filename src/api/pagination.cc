#include "api/pagination.h"

#include <charconv>

namespace spacehub::api {
namespace {

size_t ParseSize(const std::optional<std::string>& s, size_t fallback) {
  if (!s) return fallback;
  size_t v = 0;
  auto [p, ec] = std::from_chars(s->data(), s->data() + s->size(), v);
  return ec == std::errc() && p == s->data() + s->size() ? v : fallback;
}

}  // namespace

Page ReadPage(const http::Request& req, size_t default_limit, size_t max_limit) {
  Page p;
  p.offset = ParseSize(req.Query("cursor"), 0);
  p.limit = std::min(ParseSize(req.Query("limit"), default_limit), max_limit);
  if (p.limit == 0) p.limit = default_limit;
  return p;
}

void AddNextLink(http::Response& resp, const http::Request& req, const std::string& base_url,
                 const Page& page, size_t returned) {
  if (returned < page.limit) return;
  std::string url = base_url + req.path + "?";
  for (const auto& [k, v] : req.query) {
    if (k == "cursor") continue;
    url += http::PercentEncode(k, false) + "=" + http::PercentEncode(v, false) + "&";
  }
  url += "cursor=" + std::to_string(page.offset + returned);
  resp.Header("Link", "<" + url + ">; rel=\"next\"");
}

}  // namespace spacehub::api
