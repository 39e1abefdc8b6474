// Test data for the xorb format tests (xorb_format_test.cc, xorb_stream_test.cc): hand-made chunk
// headers and byte patterns that compress in known ways. Header-only, for tests; no state.
#pragma once

#include <cstdint>
#include <random>
#include <string>

namespace spacehub::xet::testing {

// A chunk header as xet-core writes it: version, stored size (u24), scheme, unpacked size (u24).
inline std::string Header(uint32_t stored, uint8_t scheme, uint32_t unpacked, uint8_t version = 0) {
  std::string h(1, static_cast<char>(version));
  for (int i = 0; i < 3; ++i) h.push_back(static_cast<char>((stored >> (8 * i)) & 0xff));
  h.push_back(static_cast<char>(scheme));
  for (int i = 0; i < 3; ++i) h.push_back(static_cast<char>((unpacked >> (8 * i)) & 0xff));
  return h;
}

// Bytes that do not compress.
inline std::string Noise(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

// 4-byte records whose first byte varies and the others repeat: BG4 + LZ4 beats plain LZ4.
inline std::string Records(size_t n, uint32_t seed) {
  std::string s = Noise(n, seed);
  for (size_t i = 0; i < n; ++i) {
    if (i % 4 != 0) s[i] = static_cast<char>(i % 4);
  }
  return s;
}

}  // namespace spacehub::xet::testing
