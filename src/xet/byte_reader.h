// ByteReader: bounds-checked little-endian reads over untrusted bytes (xorb footers, shards). Every
// read says whether the bytes were there; nothing is read past the end, so parsers built on it can
// check a count against remaining() before they allocate for it.
// A value type over a view the caller keeps alive; one owner.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "xet/xet_hash.h"

namespace spacehub::xet {

class ByteReader {
 public:
  explicit ByteReader(std::string_view data, size_t pos = 0) : data_(data), pos_(pos) {}

  size_t pos() const { return pos_; }
  size_t remaining() const { return pos_ <= data_.size() ? data_.size() - pos_ : 0; }

  bool Bytes(size_t n, std::string_view* out) {
    if (remaining() < n) return false;
    *out = data_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  bool Skip(size_t n) {
    std::string_view ignored;
    return Bytes(n, &ignored);
  }
  bool U8(uint8_t* out) { return Little(out); }
  bool U32(uint32_t* out) { return Little(out); }
  bool U64(uint64_t* out) { return Little(out); }
  bool Hash(XetHash* out) {
    std::string_view b;
    if (!Bytes(out->bytes.size(), &b)) return false;
    std::memcpy(out->bytes.data(), b.data(), b.size());
    return true;
  }

 private:
  template <typename T>
  bool Little(T* out) {
    std::string_view b;
    if (!Bytes(sizeof(T), &b)) return false;
    T v = 0;
    for (size_t i = 0; i < sizeof(T); ++i)
      v |= static_cast<T>(static_cast<uint8_t>(b[i])) << (8 * i);
    *out = v;
    return true;
  }

  std::string_view data_;
  size_t pos_;
};

// Little-endian writers for the serializers.
inline void PutU32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
inline void PutU64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
inline void PutHash(std::string& out, const XetHash& h) {
  out.append(reinterpret_cast<const char*>(h.bytes.data()), h.bytes.size());
}

}  // namespace spacehub::xet
