#include "service/lfs_service.h"

#include <charconv>

#include "core/crypto.h"
#include "core/time_util.h"
#include "service/lfs_links.h"

namespace spacehub::service {
namespace {

constexpr std::string_view kTransferPrefix = "/api/lfs-transfer/";

template <typename T>
std::optional<T> ParseNumber(std::string_view s) {
  T v{};
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string SignedMessage(std::string_view op, std::string_view repo, std::string_view oid,
                          std::string_view size, std::string_view expires) {
  std::string m;
  for (std::string_view part : {op, repo, oid, size, expires}) {
    m.append(part);
    m.push_back('\n');
  }
  return m;
}

// Links a verified object to the repo once the store has published it.
class UploadSession final : public LfsUploadSession {
 public:
  UploadSession(db::MetadataStore& db, LfsGrant grant, std::unique_ptr<repo::LfsStore::Writer> w)
      : db_(db), grant_(std::move(grant)), writer_(std::move(w)) {}
  Status Write(std::string_view chunk) override { return writer_->Write(chunk); }
  Result<std::string> Finish() override {
    SH_TRY(writer_->Commit());
    SH_TRY(db_.LinkLfsObject(grant_.repo_id, grant_.oid, grant_.size));
    return std::string();
  }

 private:
  db::MetadataStore& db_;
  LfsGrant grant_;
  std::unique_ptr<repo::LfsStore::Writer> writer_;
};

class PartSession final : public LfsUploadSession {
 public:
  explicit PartSession(std::unique_ptr<repo::LfsStore::PartWriter> w) : writer_(std::move(w)) {}
  Status Write(std::string_view chunk) override { return writer_->Write(chunk); }
  Result<std::string> Finish() override { return writer_->Commit(); }

 private:
  std::unique_ptr<repo::LfsStore::PartWriter> writer_;
};

}  // namespace

std::string LfsService::SignedPath(std::string_view operation, int64_t repo_id,
                                   std::string_view oid, uint64_t size) const {
  std::string repo = std::to_string(repo_id);
  std::string sz = std::to_string(size);
  std::string exp =
      std::to_string(hub_.clock.NowMillis() / 1000 + hub_.options.lfs_url_ttl_seconds);
  std::string sig =
      HmacSha256Hex(hub_.options.lfs_signing_key, SignedMessage(operation, repo, oid, sz, exp));
  return std::string(kTransferPrefix) + std::string(operation) + "/" + repo + "/" +
         std::string(oid) + "/" + sz + "/" + exp + "/" + sig;
}

Result<LfsGrant> LfsService::CheckGrant(std::string_view operation, std::string_view repo_id,
                                        std::string_view oid, std::string_view size,
                                        std::string_view expires,
                                        std::string_view signature) const {
  std::string expected = HmacSha256Hex(hub_.options.lfs_signing_key,
                                       SignedMessage(operation, repo_id, oid, size, expires));
  if (!ConstantTimeEquals(expected, signature)) {
    return Status::PermissionDenied("Invalid LFS transfer signature");
  }
  auto exp = ParseNumber<int64_t>(expires);
  auto id = ParseNumber<int64_t>(repo_id);
  auto sz = ParseNumber<uint64_t>(size);
  if (!exp || !id || !sz) return Status::InvalidArgument("Malformed LFS transfer URL");
  if (*exp < hub_.clock.NowMillis() / 1000) {
    return Status::PermissionDenied("This LFS transfer URL has expired; request a new batch");
  }
  return LfsGrant{*id, std::string(oid), *sz};
}

Result<std::vector<LfsBatchAnswer>> LfsService::Batch(const Caller& who, const RepoId& id,
                                                      const std::string& operation,
                                                      const std::vector<LfsObjectRef>& objects,
                                                      const std::string& base_url) {
  bool upload = operation == "upload";
  if (!upload && operation != "download") {
    return Status::InvalidArgument("LFS operation must be upload or download");
  }
  SH_ASSIGN_OR_RETURN(db::RepoRow row,
                      upload ? RequireWritable(hub_, who, id) : RequireReadable(hub_, who, id));
  std::vector<LfsBatchAnswer> out;
  out.reserve(objects.size());
  for (const auto& o : objects) {
    LfsBatchAnswer a;
    a.oid = o.oid;
    a.size = o.size;
    if (!IsHex(o.oid, 64)) {
      a.error = {422, "Invalid oid: expected a SHA-256 in lowercase hex"};
      out.push_back(std::move(a));
      continue;
    }
    SH_ASSIGN_OR_RETURN(bool linked, hub_.db.HasLfsObject(row.id, o.oid));
    auto stored = StoredObjectSize(hub_, o.oid);
    bool present = linked && stored.ok() && *stored == o.size;
    if (upload) {
      if (o.size > hub_.options.max_lfs_object_bytes) {
        a.error = {422, "Object is larger than this hub accepts"};
      } else if (!present) {
        // Even an object stored for another repo must be uploaded again: knowing a hash is not
        // proof of having the data.
        std::string signed_path = SignedPath("upload", row.id, o.oid, o.size);
        LfsAction up{base_url + signed_path, {}};
        if (o.size >= hub_.options.multipart_threshold_bytes) {
          uint64_t chunk = hub_.options.multipart_chunk_bytes;
          uint64_t parts = (o.size + chunk - 1) / chunk;
          up.href = base_url + signed_path + "/complete";
          up.header.emplace_back("chunk_size", std::to_string(chunk));
          for (uint64_t n = 1; n <= parts; ++n) {
            std::string key = std::to_string(n);
            key.insert(0, key.size() < 5 ? 5 - key.size() : 0, '0');  // "00001": sorts as text too
            up.header.emplace_back(key, base_url + signed_path + "/part/" + std::to_string(n));
          }
        }
        a.upload = std::move(up);
        a.verify = LfsAction{base_url + SignedPath("verify", row.id, o.oid, o.size), {}};
      }
    } else if (!present) {
      a.error = {404, "Object does not exist in this repository"};
    } else {
      a.download = LfsAction{base_url + SignedPath("download", row.id, o.oid, o.size), {}};
    }
    out.push_back(std::move(a));
  }
  return out;
}

Result<std::unique_ptr<LfsUploadSession>> LfsService::BeginUpload(const LfsGrant& grant) {
  SH_ASSIGN_OR_RETURN(auto writer, hub_.lfs.BeginUpload(grant.oid, grant.size));
  return std::unique_ptr<LfsUploadSession>(
      std::make_unique<UploadSession>(hub_.db, grant, std::move(writer)));
}

Result<std::unique_ptr<LfsUploadSession>> LfsService::BeginPart(const LfsGrant& grant,
                                                                int part_number) {
  uint64_t chunk = hub_.options.multipart_chunk_bytes;
  uint64_t parts = (grant.size + chunk - 1) / chunk;
  if (part_number < 1 || static_cast<uint64_t>(part_number) > parts) {
    return Status::InvalidArgument("Part number out of range");
  }
  uint64_t expected =
      static_cast<uint64_t>(part_number) == parts ? grant.size - chunk * (parts - 1) : chunk;
  SH_ASSIGN_OR_RETURN(auto writer,
                      hub_.lfs.BeginPart(grant.oid, part_number, expected, grant.size));
  return std::unique_ptr<LfsUploadSession>(std::make_unique<PartSession>(std::move(writer)));
}

Status LfsService::CompleteMultipart(const LfsGrant& grant,
                                     const std::vector<repo::LfsStore::PartRef>& parts) {
  SH_TRY(hub_.lfs.CompleteMultipart(grant.oid, grant.size, parts));
  return hub_.db.LinkLfsObject(grant.repo_id, grant.oid, grant.size);
}

Result<std::string> LfsService::ObjectPath(const LfsGrant& grant) const {
  SH_ASSIGN_OR_RETURN(bool linked, hub_.db.HasLfsObject(grant.repo_id, grant.oid));
  if (!linked || !hub_.lfs.Exists(grant.oid)) return Status::NotFound("LFS object not found");
  return hub_.lfs.ObjectPath(grant.oid).string();
}

Status LfsService::VerifyGrant(const LfsGrant& grant) {
  return CheckLinked(grant.repo_id, {grant.oid, grant.size});
}

Status LfsService::Verify(const Caller& who, const RepoId& id, const LfsObjectRef& object) {
  SH_ASSIGN_OR_RETURN(db::RepoRow row, RequireWritable(hub_, who, id));
  return CheckLinked(row.id, object);
}

Status LfsService::CheckLinked(int64_t repo_id, const LfsObjectRef& object) {
  SH_ASSIGN_OR_RETURN(bool linked, hub_.db.HasLfsObject(repo_id, object.oid));
  auto size = StoredObjectSize(hub_, object.oid);
  if (!linked || !size.ok()) return Status::NotFound("LFS object " + object.oid + " not found");
  if (*size != object.size) {
    return Status::InvalidArgument("LFS object " + object.oid + " has size " +
                                   std::to_string(*size));
  }
  return Status::Ok();
}

}  // namespace spacehub::service
