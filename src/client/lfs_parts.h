// Reading a multipart LFS upload action (spec §5.2): `actions.upload.header` holds "chunk_size" and
// one pre-signed URL per part under an all-digit key ("1", "2" … or zero-padded "00001" …), ordered
// by the key's numeric value as huggingface_hub does. Pure; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace spacehub::client::detail {

// The part URLs in part order; keys that are not all digits (chunk_size, …) are skipped.
std::vector<std::string> SortedPartUrls(const nlohmann::json& header);

}  // namespace spacehub::client::detail
