// See hashing.h.
#include "client/hashing.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "spacehub/errors.h"

namespace spacehub::client::detail {
namespace {

using MdCtx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

std::string Hex(const unsigned char* d, unsigned n) {
  static const char* const kHex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < n; ++i) {
    out.push_back(kHex[d[i] >> 4]);
    out.push_back(kHex[d[i] & 15]);
  }
  return out;
}

std::string Finish(EVP_MD_CTX* ctx) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  EVP_DigestFinal_ex(ctx, md, &n);
  return Hex(md, n);
}

class Digester {
 public:
  Digester(uint64_t size, bool with_git_sha1)
      : sha256_(EVP_MD_CTX_new(), &EVP_MD_CTX_free),
        sha1_(with_git_sha1 ? EVP_MD_CTX_new() : nullptr, &EVP_MD_CTX_free) {
    EVP_DigestInit_ex(sha256_.get(), EVP_sha256(), nullptr);
    if (sha1_) {
      EVP_DigestInit_ex(sha1_.get(), EVP_sha1(), nullptr);
      std::string prefix = "blob " + std::to_string(size);
      EVP_DigestUpdate(sha1_.get(), prefix.c_str(), prefix.size() + 1);  // includes the NUL
    }
    d_.size = size;
  }
  void Update(const char* data, size_t n) {
    if (d_.sample.size() < 512) d_.sample.append(data, std::min<size_t>(n, 512 - d_.sample.size()));
    EVP_DigestUpdate(sha256_.get(), data, n);
    if (sha1_) EVP_DigestUpdate(sha1_.get(), data, n);
  }
  FileDigest Done() {
    d_.sha256 = Finish(sha256_.get());
    if (sha1_) d_.git_sha1 = Finish(sha1_.get());
    return d_;
  }

 private:
  MdCtx sha256_, sha1_;
  FileDigest d_;
};

}  // namespace

FileDigest DigestFile(const std::string& path, uint64_t git_sha1_max_size, std::string* keep,
                      uint64_t keep_max_size) {
  std::unique_ptr<FILE, decltype(&std::fclose)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f)
    throw LocalError(ErrorKind::kLocalIo, "cannot read " + path + ": " + std::strerror(errno));
  if (fseeko(f.get(), 0, SEEK_END) != 0)
    throw LocalError(ErrorKind::kLocalIo, "cannot seek " + path);
  uint64_t size = static_cast<uint64_t>(ftello(f.get()));
  std::rewind(f.get());
  Digester d(size, size <= git_sha1_max_size);
  if (keep && size > keep_max_size) keep = nullptr;
  std::vector<char> buf(static_cast<size_t>(std::clamp<uint64_t>(size, 1, 1 << 20)));
  uint64_t total = 0;
  while (size_t n = std::fread(buf.data(), 1, buf.size(), f.get())) {
    d.Update(buf.data(), n);
    if (keep) keep->append(buf.data(), n);
    total += n;
  }
  if (std::ferror(f.get()) || total != size) {
    throw LocalError(ErrorKind::kLocalIo, "cannot read " + path + " (changed while reading?)");
  }
  return d.Done();
}

FileDigest DigestBytes(const std::string& bytes) {
  Digester d(bytes.size(), true);
  d.Update(bytes.data(), bytes.size());
  return d.Done();
}

std::string Base64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string Sha1Raw(const std::string& bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  EVP_Digest(bytes.data(), bytes.size(), md, &n, EVP_sha1(), nullptr);
  return std::string(reinterpret_cast<const char*>(md), n);
}

}  // namespace spacehub::client::detail
