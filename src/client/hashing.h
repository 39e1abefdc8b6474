// Content ids the Hub compares against (spec §5.1): SHA-256 (LFS oid) and the git blob SHA-1
// (regular files), plus base64 for commit payloads. OpenSSL underneath; thread-safe.
#pragma once

#include <cstdint>
#include <string>

namespace spacehub::client::detail {

struct FileDigest {
  uint64_t size = 0;
  std::string sha256;    // hex
  std::string git_sha1;  // hex of sha1("blob <size>\0" + bytes); "" when not computed
  std::string sample;    // first 512 bytes
};

// Reads the file once; throws LocalError(kLocalIo) when it cannot. The git blob SHA-1 is only
// computed for files up to git_sha1_max_size bytes: it is compared only for files the server
// stores as regular git blobs, and hashing twice would double the CPU time of a big LFS upload.
// When `keep` is given and the file has at most keep_max_size bytes, its content is also stored
// there (a commit sends small files inline, and reading them twice doubles the file system work).
FileDigest DigestFile(const std::string& path, uint64_t git_sha1_max_size = UINT64_MAX,
                      std::string* keep = nullptr, uint64_t keep_max_size = 0);
FileDigest DigestBytes(const std::string& bytes);
std::string Base64(const std::string& bytes);
// The 20 raw bytes of SHA-1(bytes) (not hex).
std::string Sha1Raw(const std::string& bytes);

}  // namespace spacehub::client::detail
