#include "repo/pack_writer.h"

#include <git2/sys/odb_backend.h>

#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

namespace spacehub::repo {
namespace {

// Above every built-in backend (loose = 1, packed = 2), so new objects land in memory first.
constexpr int kStagingPriority = 1000;
// Same default as git's receive.unpackLimit / transfer.unpackLimit.
constexpr size_t kPackThreshold = 100;

std::string Key(const git_oid* oid) {
  return std::string(reinterpret_cast<const char*>(oid->id), GIT_OID_RAWSZ);
}

}  // namespace

struct StagingBackend {
  git_odb_backend parent;  // first member: libgit2 hands us back this pointer
  struct Object {
    git_object_t type;
    std::string data;
  };
  std::unordered_map<std::string, Object> objects;
  std::vector<git_oid> order;

  static StagingBackend* Self(git_odb_backend* b) { return reinterpret_cast<StagingBackend*>(b); }

  static int Read(void** out, size_t* len, git_object_t* type, git_odb_backend* b,
                  const git_oid* oid) {
    auto it = Self(b)->objects.find(Key(oid));
    if (it == Self(b)->objects.end()) return GIT_ENOTFOUND;
    void* buf = git_odb_backend_data_alloc(b, it->second.data.size());
    if (buf == nullptr) return -1;
    std::memcpy(buf, it->second.data.data(), it->second.data.size());
    *out = buf;
    *len = it->second.data.size();
    *type = it->second.type;
    return 0;
  }
  static int ReadHeader(size_t* len, git_object_t* type, git_odb_backend* b, const git_oid* oid) {
    auto it = Self(b)->objects.find(Key(oid));
    if (it == Self(b)->objects.end()) return GIT_ENOTFOUND;
    *len = it->second.data.size();
    *type = it->second.type;
    return 0;
  }
  static int Write(git_odb_backend* b, const git_oid* oid, const void* data, size_t len,
                   git_object_t type) {
    auto [it, inserted] = Self(b)->objects.try_emplace(
        Key(oid), Object{type, std::string(static_cast<const char*>(data), len)});
    if (inserted) Self(b)->order.push_back(*oid);
    return 0;
  }
  static int Exists(git_odb_backend* b, const git_oid* oid) {
    return Self(b)->objects.count(Key(oid)) != 0 ? 1 : 0;
  }
  static void Free(git_odb_backend* b) { delete Self(b); }
};

Status PackWriter::Attach(git_repository* repo) {
  repo_ = repo;
  git_odb* odb = nullptr;
  int rc = git_repository_odb(&odb, repo);
  if (rc < 0) return git::Error(rc, "open object database");
  odb_.reset(odb);
  auto* backend = new StagingBackend();
  git_odb_init_backend(&backend->parent, GIT_ODB_BACKEND_VERSION);
  backend->parent.read = &StagingBackend::Read;
  backend->parent.read_header = &StagingBackend::ReadHeader;
  backend->parent.write = &StagingBackend::Write;
  backend->parent.exists = &StagingBackend::Exists;
  backend->parent.free = &StagingBackend::Free;
  rc = git_odb_add_backend(odb_.get(), &backend->parent, kStagingPriority);
  if (rc < 0) {
    delete backend;
    return git::Error(rc, "attach staging backend");
  }
  staging_ = backend;
  return Status::Ok();
}

Status PackWriter::Flush() {
  Status st;
  if (staging_->order.size() >= kPackThreshold) {
    st = WritePack();
  } else if (!staging_->order.empty()) {
    st = WriteLoose();
  }
  Discard();
  return st;
}

void PackWriter::Discard() {
  if (staging_ == nullptr) return;
  staging_->objects.clear();
  staging_->order.clear();
}

Status PackWriter::WritePack() {
  git_packbuilder* raw = nullptr;
  int rc = git_packbuilder_new(&raw, repo_);
  if (rc < 0) return git::Error(rc, "new packbuilder");
  std::unique_ptr<git_packbuilder, git::Deleter<git_packbuilder_free>> pb(raw);
  git_packbuilder_set_threads(pb.get(), 1);
  for (const git_oid& oid : staging_->order) {
    rc = git_packbuilder_insert(pb.get(), &oid, nullptr);
    if (rc < 0) return git::Error(rc, "pack object");
  }
  git_buf pack = GIT_BUF_INIT;
  rc = git_packbuilder_write_buf(&pack, pb.get());
  Status st;
  if (rc < 0) st = git::Error(rc, "build pack");
  git_odb_writepack* writer = nullptr;
  if (st.ok() && (rc = git_odb_write_pack(&writer, odb_.get(), nullptr, nullptr)) < 0) {
    st = git::Error(rc, "open pack writer");
  }
  if (st.ok()) {
    git_indexer_progress stats{};
    rc = writer->append(writer, pack.ptr, pack.size, &stats);
    if (rc == 0) rc = writer->commit(writer, &stats);
    if (rc < 0) st = git::Error(rc, "write pack");
  }
  if (writer != nullptr) writer->free(writer);
  git_buf_dispose(&pack);
  return st;
}

// Through a second odb on the same objects dir, which has only the on-disk backends.
Status PackWriter::WriteLoose() {
  std::string objects_dir = std::string(git_repository_path(repo_)) + "objects";
  git_odb* raw = nullptr;
  int rc = git_odb_open(&raw, objects_dir.c_str());
  if (rc < 0) return git::Error(rc, "open " + objects_dir);
  git::OdbPtr disk(raw);
  for (const git_oid& oid : staging_->order) {
    const auto& obj = staging_->objects.at(Key(&oid));
    git_oid written;
    rc = git_odb_write(&written, disk.get(), obj.data.data(), obj.data.size(), obj.type);
    if (rc < 0) return git::Error(rc, "write object");
  }
  return Status::Ok();
}

}  // namespace spacehub::repo
