#include "core/secret_box.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "core/crypto.h"

namespace spacehub {
namespace {

constexpr size_t kKeyBytes = 32;
constexpr size_t kNonceBytes = 12;
constexpr size_t kTagBytes = 16;
constexpr std::string_view kPrefix = "v1:";
constexpr std::string_view kFilePrefix = "secret-master-";
constexpr std::string_view kFileSuffix = ".key";

struct CipherCtx {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  ~CipherCtx() { EVP_CIPHER_CTX_free(ctx); }
};

const unsigned char* U(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

Result<std::string> Encrypt(const std::string& key, std::string_view plaintext,
                            std::string_view aad) {
  std::string nonce = RandomBytes(kNonceBytes);
  std::string out(kNonceBytes + plaintext.size() + kTagBytes, '\0');
  auto* buf = reinterpret_cast<unsigned char*>(out.data());
  CipherCtx c;
  int len = 0;
  bool ok = c.ctx && EVP_EncryptInit_ex(c.ctx, EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
            EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) == 1 &&
            EVP_EncryptInit_ex(c.ctx, nullptr, nullptr, U(key), U(nonce)) == 1 &&
            EVP_EncryptUpdate(c.ctx, nullptr, &len, U(aad), static_cast<int>(aad.size())) == 1 &&
            EVP_EncryptUpdate(c.ctx, buf + kNonceBytes, &len, U(plaintext),
                              static_cast<int>(plaintext.size())) == 1 &&
            EVP_EncryptFinal_ex(c.ctx, buf + kNonceBytes + len, &len) == 1 &&
            EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_GET_TAG, kTagBytes,
                                buf + kNonceBytes + plaintext.size()) == 1;
  if (!ok) return Status::Internal("secret encryption failed");
  out.replace(0, kNonceBytes, nonce);
  return out;
}

Result<std::string> Decrypt(const std::string& key, std::string_view blob, std::string_view aad) {
  if (blob.size() < kNonceBytes + kTagBytes) {
    return Status::InvalidArgument("sealed secret is truncated");
  }
  std::string_view nonce = blob.substr(0, kNonceBytes);
  std::string_view ct = blob.substr(kNonceBytes, blob.size() - kNonceBytes - kTagBytes);
  std::string tag(blob.substr(blob.size() - kTagBytes));
  std::string out(ct.size(), '\0');
  CipherCtx c;
  int len = 0;
  bool ok = c.ctx && EVP_DecryptInit_ex(c.ctx, EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
            EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) == 1 &&
            EVP_DecryptInit_ex(c.ctx, nullptr, nullptr, U(key), U(nonce)) == 1 &&
            EVP_DecryptUpdate(c.ctx, nullptr, &len, U(aad), static_cast<int>(aad.size())) == 1 &&
            EVP_DecryptUpdate(c.ctx, reinterpret_cast<unsigned char*>(out.data()), &len, U(ct),
                              static_cast<int>(ct.size())) == 1 &&
            EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) == 1;
  if (!ok) return Status::Internal("secret decryption failed");
  if (EVP_DecryptFinal_ex(c.ctx, reinterpret_cast<unsigned char*>(out.data()) + len, &len) != 1) {
    return Status::PermissionDenied("sealed secret failed authentication (tampered or misplaced)");
  }
  return out;
}

// "v1:<id>:<base64>" → (id, raw blob).
Result<std::pair<int64_t, std::string>> Split(std::string_view sealed) {
  if (sealed.substr(0, kPrefix.size()) != kPrefix) {
    return Status::InvalidArgument("sealed secret has an unknown format");
  }
  sealed.remove_prefix(kPrefix.size());
  size_t colon = sealed.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    return Status::InvalidArgument("sealed secret has no key id");
  }
  int64_t id = 0;
  for (char ch : sealed.substr(0, colon)) {
    if (ch < '0' || ch > '9') return Status::InvalidArgument("sealed secret has a bad key id");
    id = id * 10 + (ch - '0');
  }
  SH_ASSIGN_OR_RETURN(std::string blob, Base64Decode(sealed.substr(colon + 1)));
  return std::make_pair(id, std::move(blob));
}

Result<std::string> HexDecode(std::string_view hex) {
  if (!IsHex(hex, kKeyBytes * 2)) return Status::Internal("secret master key file is corrupt");
  std::string out(hex.size() / 2, '\0');
  auto nib = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<char>(nib(hex[2 * i]) << 4 | nib(hex[2 * i + 1]));
  }
  return out;
}

Result<std::map<int64_t, std::string>> ReadKeyring(const std::filesystem::path& dir) {
  std::map<int64_t, std::string> keys;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.rfind(kFilePrefix, 0) != 0 || name.size() <= kFilePrefix.size() + kFileSuffix.size() ||
        name.substr(name.size() - kFileSuffix.size()) != kFileSuffix) {
      continue;
    }
    std::string digits =
        name.substr(kFilePrefix.size(), name.size() - kFilePrefix.size() - kFileSuffix.size());
    if (digits.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    auto key = HexDecode(text);
    if (!key.ok()) return std::move(key).take_status().Annotate(entry.path().string());
    keys[std::stoll(digits)] = std::move(*key);
  }
  if (ec) return Status::Internal("Cannot read " + dir.string() + ": " + ec.message());
  return keys;
}

Status WriteKeyFile(const std::filesystem::path& dir, int64_t id, std::string_view raw) {
  std::filesystem::path path =
      dir / (std::string(kFilePrefix) + std::to_string(id) + std::string(kFileSuffix));
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  std::string hex = HexEncode(raw);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Internal("Cannot create " + tmp.string());
  bool ok =
      ::write(fd, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size()) && ::fsync(fd) == 0;
  ::close(fd);
  // link(2) refuses to replace an existing key: two rotations racing cannot overwrite each other.
  if (!ok || ::link(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return Status::Conflict("Cannot write " + path.string());
  }
  ::unlink(tmp.c_str());
  return Status::Ok();
}

}  // namespace

SecretBox::SecretBox(std::map<int64_t, std::string> keys) : keys_(std::move(keys)) {}

SecretBox::SecretBox(std::filesystem::path dir, std::map<int64_t, std::string> keys)
    : dir_(std::move(dir)), keys_(std::move(keys)) {}

Result<std::unique_ptr<SecretBox>> SecretBox::OpenDir(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::Unavailable("Cannot create " + dir.string() + ": " + ec.message());
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, ec);
  SH_ASSIGN_OR_RETURN(auto keys, ReadKeyring(dir));
  if (keys.empty()) {
    std::string raw = RandomBytes(kKeyBytes);
    Status st = WriteKeyFile(dir, 1, raw);
    if (st.ok()) {
      keys[1] = raw;
    } else {
      SH_ASSIGN_OR_RETURN(keys, ReadKeyring(dir));  // another process created it first
      if (keys.empty()) return st;
    }
  }
  return std::unique_ptr<SecretBox>(new SecretBox(dir, std::move(keys)));
}

Status SecretBox::ReloadLocked() {
  if (dir_.empty()) return Status::Ok();
  SH_ASSIGN_OR_RETURN(auto keys, ReadKeyring(dir_));
  if (!keys.empty()) keys_ = std::move(keys);
  return Status::Ok();
}

Result<std::string> SecretBox::Seal(std::string_view plaintext, std::string_view aad) {
  std::lock_guard lock(mu_);
  SH_TRY(ReloadLocked());  // a rotation by another process must take effect for new values
  if (keys_.empty()) return Status::Internal("the secret keyring is empty");
  const auto& [id, key] = *keys_.rbegin();
  SH_ASSIGN_OR_RETURN(std::string blob, Encrypt(key, plaintext, aad));
  return std::string(kPrefix) + std::to_string(id) + ":" + Base64Encode(blob);
}

Result<std::string> SecretBox::Open(std::string_view sealed, std::string_view aad) {
  SH_ASSIGN_OR_RETURN(auto parts, Split(sealed));
  std::lock_guard lock(mu_);
  if (!keys_.count(parts.first)) SH_TRY(ReloadLocked());
  auto it = keys_.find(parts.first);
  if (it == keys_.end()) {
    return Status::NotFound("secret master key " + std::to_string(parts.first) + " is missing");
  }
  return Decrypt(it->second, parts.second, aad);
}

bool SecretBox::NeedsReseal(std::string_view sealed) {
  auto parts = Split(sealed);
  return !parts.ok() || parts->first != active_key_id();
}

Result<int64_t> SecretBox::Rotate() {
  std::lock_guard lock(mu_);
  if (dir_.empty()) return Status::InvalidArgument("an in-memory keyring cannot rotate");
  SH_TRY(ReloadLocked());
  int64_t id = keys_.empty() ? 1 : keys_.rbegin()->first + 1;
  std::string raw = RandomBytes(kKeyBytes);
  SH_TRY(WriteKeyFile(dir_, id, raw));
  keys_[id] = std::move(raw);
  return id;
}

int64_t SecretBox::active_key_id() {
  std::lock_guard lock(mu_);
  return keys_.empty() ? 0 : keys_.rbegin()->first;
}

}  // namespace spacehub
