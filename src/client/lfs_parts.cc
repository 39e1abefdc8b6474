// See lfs_parts.h.
#include "client/lfs_parts.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <utility>

namespace spacehub::client::detail {

std::vector<std::string> SortedPartUrls(const nlohmann::json& header) {
  std::vector<std::pair<uint64_t, std::string>> parts;
  if (!header.is_object()) return {};
  for (const auto& [key, value] : header.items()) {
    if (key.empty() || key.size() > 18 || !value.is_string()) continue;
    if (!std::all_of(key.begin(), key.end(), [](unsigned char c) { return std::isdigit(c); })) {
      continue;
    }
    parts.emplace_back(std::stoull(key), value.get<std::string>());
  }
  std::sort(parts.begin(), parts.end());
  std::vector<std::string> out;
  out.reserve(parts.size());
  for (auto& [n, url] : parts) out.push_back(std::move(url));
  return out;
}

}  // namespace spacehub::client::detail
