// LfsService: the git-lfs batch API and the transfers it hands out.
//
// Clients send no token when they PUT an object (huggingface_hub and @huggingface/hub both drop
// it), so every transfer URL carries its own credential: an HMAC over (operation, repo, oid, size,
// expiry) under the hub's signing key. A URL grants exactly one object in one repo for a short
// time. Uploads are hashed as they stream; only a verified object is published and linked to the
// repo.
//
// Thread-safe: holds only a reference to the Hub; sessions have one owner.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "service/access.h"

namespace spacehub::service {

struct LfsObjectRef {
  std::string oid;
  uint64_t size = 0;
};

struct LfsAction {
  std::string href;
  std::vector<std::pair<std::string, std::string>> header;
};

struct LfsBatchAnswer {
  std::string oid;
  uint64_t size = 0;
  std::optional<LfsAction> upload;
  std::optional<LfsAction> verify;
  std::optional<LfsAction> download;
  std::optional<std::pair<int, std::string>> error;  // (code, message)
};

// What a transfer URL grants, decoded from its path and checked.
struct LfsGrant {
  int64_t repo_id = 0;
  std::string oid;
  uint64_t size = 0;
};

// Receives an upload (or one part of it) and publishes it on Finish.
class LfsUploadSession {
 public:
  virtual ~LfsUploadSession() = default;
  virtual Status Write(std::string_view chunk) = 0;
  // Returns the ETag for parts, empty for whole objects.
  virtual Result<std::string> Finish() = 0;
};

class LfsService final {
 public:
  explicit LfsService(Hub& hub) : hub_(hub) {}

  // operation: "upload" (needs write) or "download" (needs read).
  Result<std::vector<LfsBatchAnswer>> Batch(const Caller& who, const RepoId& id,
                                            const std::string& operation,
                                            const std::vector<LfsObjectRef>& objects,
                                            const std::string& base_url);

  // "/api/lfs-transfer/<operation>/<repo>/<oid>/<size>/<expires>/<signature>": grants that one
  // object of that repo for lfs_url_ttl_seconds from now (the hub's clock).
  std::string SignedPath(std::string_view operation, int64_t repo_id, std::string_view oid,
                         uint64_t size) const;
  // Checks a transfer URL's signature and expiry (kPermissionDenied otherwise).
  Result<LfsGrant> CheckGrant(std::string_view operation, std::string_view repo_id,
                              std::string_view oid, std::string_view size, std::string_view expires,
                              std::string_view signature) const;
  Result<std::unique_ptr<LfsUploadSession>> BeginUpload(const LfsGrant& grant);
  Result<std::unique_ptr<LfsUploadSession>> BeginPart(const LfsGrant& grant, int part_number);
  Status CompleteMultipart(const LfsGrant& grant,
                           const std::vector<repo::LfsStore::PartRef>& parts);
  // Path of a granted object for download.
  Result<std::string> ObjectPath(const LfsGrant& grant) const;
  // Succeeds when the granted object is stored and linked to its repo with the granted size.
  Status VerifyGrant(const LfsGrant& grant);
  // Succeeds when the object is stored and linked to the repo with this size.
  Status Verify(const Caller& who, const RepoId& id, const LfsObjectRef& object);

 private:
  Status CheckLinked(int64_t repo_id, const LfsObjectRef& object);
  Hub& hub_;
};

}  // namespace spacehub::service
