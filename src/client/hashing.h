// Content ids the Hub compares against (spec §5.1): SHA-256 (LFS oid) and the git blob SHA-1
// (regular files), plus base64 for commit payloads. OpenSSL underneath; thread-safe.
#pragma once

#include <cstdint>
#include <string>

namespace spacehub::client::detail {

struct FileDigest {
  uint64_t size = 0;
  std::string sha256;    // hex
  std::string git_sha1;  // hex of sha1("blob <size>\0" + bytes)
  std::string sample;    // first 512 bytes
};

// Reads the file once; throws LocalError(kLocalIo) when it cannot.
FileDigest DigestFile(const std::string& path);
FileDigest DigestBytes(const std::string& bytes);
std::string Base64(const std::string& bytes);

}  // namespace spacehub::client::detail
