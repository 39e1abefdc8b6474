// Issue 13 item 1 at the service layer, over a real hub in a temporary directory: bob knows the
// hash of alice's private LFS object and tries to reference it from his own repo. Every way in is
// refused; a pointer that gets in anyway (written with the repo layer directly, as old data or an
// edited bare repo would be) serves nothing and fails a Space checkout; alice's own use works.
#include "service/lfs_links.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "core/crypto.h"
#include "service/commit_service.h"
#include "service/file_service.h"
#include "service/hub_instance.h"
#include "service/lfs_service.h"
#include "service/repo_service.h"

namespace spacehub::service {
namespace {
namespace fs = std::filesystem;

class LfsLinksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/spacehub-lfs-links-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto opened = HubInstance::Open(dir_, HubOptions{});
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    instance_ = std::move(*opened);
    alice_ = User("alice");
    bob_ = User("bob");
    repos_ = std::make_unique<RepoService>(hub());
    alice_repo_ = Create(alice_, "weights", /*is_private=*/true);
    bob_repo_ = Create(bob_, "mine", /*is_private=*/false);
    // Alice uploads her object through her repo's own LFS transfer, as git-lfs would.
    secret_ = "alice's private weights";
    oid_ = Sha256Hex(secret_);
    LfsService lfs(hub());
    auto session = lfs.BeginUpload({alice_repo_.id, oid_, secret_.size()});
    ASSERT_TRUE(session.ok()) << session.status().message();
    ASSERT_TRUE((*session)->Write(secret_).ok());
    ASSERT_TRUE((*session)->Finish().ok());
  }

  void TearDown() override {
    repos_.reset();
    instance_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  Hub& hub() { return instance_->hub(); }

  Caller User(const std::string& name) {
    auto account = hub().identity.CreateUser(name, /*is_admin=*/false);
    EXPECT_TRUE(account.ok()) << account.status().message();
    auth::Principal p;
    p.user = *account;
    p.token.user_id = account->id;
    p.token.role = db::Role::kWrite;
    return p;
  }

  db::RepoRow Create(const Caller& who, const std::string& name, bool is_private) {
    CreateRepoInput in;
    in.name = name;
    in.is_private = is_private;
    auto row = repos_->Create(who, in, "http://127.0.0.1");
    EXPECT_TRUE(row.ok()) << row.status().message();
    return row.ok() ? *row : db::RepoRow{};
  }

  std::string Pointer(std::string_view version) const {
    return "version " + std::string(version) + "\noid sha256:" + oid_ + "\nsize " +
           std::to_string(secret_.size()) + "\n";
  }

  Result<CommitOutput> CommitFile(const Caller& who, const db::RepoRow& row,
                                  const std::string& path, const std::string& content) {
    CommitInput in;
    in.revision = "main";
    in.summary = "add " + path;
    in.ops.push_back(repo::AddFile{path, content});
    return CommitService(hub()).Commit(who, row.repo, std::move(in));
  }

  // A pointer in bob's repo that no hub check saw.
  std::string SmuggleIn(const std::string& path) {
    repo::CommitRequest c;
    c.ref = "refs/heads/main";
    c.summary = "behind the hub's back";
    c.author_name = "bob";
    c.author_email = "bob@example.com";
    c.ops.push_back(repo::AddLfsFile{path, {oid_, secret_.size()}});
    auto r = hub().repos.Commit(bob_repo_.repo, c);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? r->commit_id : "";
  }

  fs::path dir_;
  std::unique_ptr<HubInstance> instance_;
  std::unique_ptr<RepoService> repos_;
  Caller alice_, bob_;
  db::RepoRow alice_repo_, bob_repo_;
  std::string secret_, oid_;
};

TEST_F(LfsLinksTest, APlainFileHoldingAPointerNeedsTheLink) {
  auto head = hub().repos.ResolveRevision(bob_repo_.repo, "main");
  ASSERT_TRUE(head.ok());
  for (const char* version : {"https://git-lfs.github.com/spec/v1",
                              "https://hawser.github.com/spec/v1", "http://git-media.io/v/2"}) {
    auto r = CommitFile(bob_, bob_repo_, "stolen.bin", Pointer(version));
    ASSERT_FALSE(r.ok()) << version;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
    EXPECT_NE(r.status().message().find("was not uploaded to this repository"), std::string::npos)
        << r.status().message();
  }
  auto after = hub().repos.ResolveRevision(bob_repo_.repo, "main");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(*after, *head) << "nothing written";
  // Beside it: alice commits the same pointer to her own repo, and reads her bytes.
  ASSERT_TRUE(
      CommitFile(alice_, alice_repo_, "w.bin", Pointer("https://hawser.github.com/spec/v1")).ok());
  auto file = FileService(hub()).Resolve(alice_, alice_repo_.repo, "main", "w.bin");
  ASSERT_TRUE(file.ok()) << file.status().message();
  EXPECT_FALSE(file->lfs_path.empty());
}

TEST_F(LfsLinksTest, APointerThatGotInAnywayServesNothing) {
  SmuggleIn("stolen.bin");
  FileService files(hub());
  auto r = files.Resolve(bob_, bob_repo_.repo, "main", "stolen.bin");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  auto tree = files.Tree(bob_, bob_repo_.repo, "main", "", true, false);
  ASSERT_TRUE(tree.ok());
  bool seen = false;
  for (const auto& t : *tree) {
    if (t.entry.path != "stolen.bin") continue;
    seen = true;
    EXPECT_FALSE(t.entry.lfs.has_value());
    EXPECT_LT(t.entry.size, 1024u);
  }
  EXPECT_TRUE(seen);
  auto info = files.PathsInfo(bob_, bob_repo_.repo, "main", {"stolen.bin"}, false);
  ASSERT_TRUE(info.ok());
  ASSERT_EQ(info->size(), 1u);
  EXPECT_FALSE((*info)[0].entry.lfs.has_value());
}

TEST_F(LfsLinksTest, SpaceCheckoutRefusesUnlinkedObjects) {
  std::string sha = SmuggleIn("model/stolen.bin");
  Status st = CheckCheckoutLfsLinks(hub(), bob_repo_, sha);
  EXPECT_EQ(st.code(), Code::kPermissionDenied);
  EXPECT_NE(st.message().find("model/stolen.bin"), std::string::npos) << st.message();
  // Beside it: a commit whose LFS objects are all linked checks out.
  auto mine =
      CommitFile(alice_, alice_repo_, "w.bin", Pointer("https://git-lfs.github.com/spec/v1"));
  ASSERT_TRUE(mine.ok()) << mine.status().message();
  EXPECT_TRUE(CheckCheckoutLfsLinks(hub(), alice_repo_, mine->commit_id).ok());
}

TEST_F(LfsLinksTest, CopyLfsLinkCopiesOnlyWhatTheSourceHad) {
  db::RepoRow bobs_copy = Create(bob_, "copy", false);
  auto copied = CopyLfsLink(hub(), bob_repo_.id, bobs_copy.id, oid_);
  ASSERT_TRUE(copied.ok());
  EXPECT_FALSE(*copied);
  auto linked = IsLfsLinked(hub(), bobs_copy.id, oid_);
  ASSERT_TRUE(linked.ok());
  EXPECT_FALSE(*linked);
  db::RepoRow target = Create(alice_, "copy", true);
  copied = CopyLfsLink(hub(), alice_repo_.id, target.id, oid_);
  ASSERT_TRUE(copied.ok());
  EXPECT_TRUE(*copied);
  linked = IsLfsLinked(hub(), target.id, oid_);
  ASSERT_TRUE(linked.ok());
  EXPECT_TRUE(*linked);
}

}  // namespace
}  // namespace spacehub::service
