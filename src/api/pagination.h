// Pagination the Hub way: `limit` in the query, the next page in a `Link: <url>; rel="next"` header
// (clients follow it until it disappears). Our cursor is the offset, carried as `cursor=`.
// Stateless; thread-safe.
#pragma once

#include <cstddef>
#include <string>

#include "http/request.h"
#include "http/response.h"

namespace spacehub::api {

struct Page {
  size_t offset = 0;
  size_t limit = 0;
};

Page ReadPage(const http::Request& req, size_t default_limit, size_t max_limit);
// Adds the Link header when the page was full (there may be more).
void AddNextLink(http::Response& resp, const http::Request& req, const std::string& base_url,
                 const Page& page, size_t returned);

}  // namespace spacehub::api
