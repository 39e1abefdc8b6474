// Link-header pagination (spec §0.4): list endpoints answer one JSON array per page and name the
// next page in `Link: <url>; rel="next"`. Pure; thread-safe.
#pragma once

#include <string>

namespace spacehub::client::detail {

// The URL of the rel="next" link in a Link header value ("" when there is none). Accepts several
// comma-separated links, any order of parameters, rel with or without quotes and several
// space-separated relation types (RFC 8288).
std::string ParseNextLink(const std::string& link_header);

}  // namespace spacehub::client::detail
