// RepoStore lifecycle, revision resolution, refs, branches and tags.
#include "repo/repo_store.h"

#include <gtest/gtest.h>

#include "repo/test_util.h"

namespace spacehub::repo {
namespace {

using testing::Model;
using testing::Request;

class RepoStoreTest : public testing::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    store_ = std::make_unique<RepoStore>(dir_ / "repos");
    ASSERT_TRUE(store_->Create(id_).ok());
  }
  std::string CommitFile(const std::string& path, const std::string& content,
                         const std::string& ref = "refs/heads/main") {
    auto r = store_->Commit(id_, Request("add " + path, {AddFile{path, content}}, ref));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->commit_id : "";
  }

  RepoId id_ = Model("alice", "model");
  std::unique_ptr<RepoStore> store_;
};

TEST_F(RepoStoreTest, CreateDeleteMove) {
  EXPECT_TRUE(store_->Exists(id_));
  EXPECT_EQ(store_->GitDir(id_), dir_ / "repos" / "models" / "alice" / "model.git");
  EXPECT_TRUE(std::filesystem::exists(store_->GitDir(id_) / "HEAD"));
  EXPECT_EQ(store_->Create(id_).code(), Code::kConflict);

  RepoId space{RepoType::kSpace, "bob", "demo"};
  ASSERT_TRUE(store_->Create(space).ok());
  EXPECT_EQ(store_->Move(id_, space).code(), Code::kConflict);
  RepoId renamed = Model("carol", "renamed");
  ASSERT_TRUE(store_->Move(id_, renamed).ok());
  EXPECT_FALSE(store_->Exists(id_));
  EXPECT_TRUE(store_->Exists(renamed));
  EXPECT_EQ(store_->Move(id_, renamed).code(), Code::kNotFound);

  ASSERT_TRUE(store_->Delete(renamed).ok());
  EXPECT_FALSE(store_->Exists(renamed));
  Status missing = store_->Delete(renamed);
  EXPECT_EQ(missing.code(), Code::kNotFound);
  EXPECT_EQ(missing.reason(), "RepoNotFound");
  EXPECT_TRUE(std::filesystem::is_empty(dir_ / "repos" / ".trash"));
}

TEST_F(RepoStoreTest, EmptyRepoHasNoMain) {
  auto r = store_->ResolveRevision(id_, "main");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().reason(), "RevisionNotFound");
  auto refs = store_->ListRefs(id_);
  ASSERT_TRUE(refs.ok());
  EXPECT_TRUE(refs->branches.empty());
}

TEST_F(RepoStoreTest, ResolveRevisionTable) {
  std::string c1 = CommitFile("a.txt", "one");
  std::string c2 = CommitFile("a.txt", "two");
  ASSERT_TRUE(store_->CreateBranch(id_, "dev", c1).ok());
  ASSERT_TRUE(store_->CreateTag(id_, "v1", c1, "", "", "").ok());
  ASSERT_TRUE(store_->CreateTag(id_, "v2", c2, "release 2", "Tagger", "t@example.com").ok());
  {
    std::string out;
    ASSERT_EQ(
        testing::RunShell(
            "git --git-dir=" + store_->GitDir(id_).string() + " cat-file -t refs/tags/v2", &out),
        0);
    EXPECT_EQ(out, "tag\n");
  }
  struct Case {
    std::string rev;
    std::string want;  // empty = RevisionNotFound
  } cases[] = {
      {"main", c2},
      {"dev", c1},
      {"v1", c1},
      {"v2", c2},
      {"refs/heads/dev", c1},
      {"refs/tags/v2", c2},
      {c1, c1},
      {"main~1", ""},
      {"HEAD^", ""},
      {"HEAD", c2},  // the default branch, as the JS client asks for it
      {"main@{1}", ""},
      {c1.substr(0, 7), ""},
      {std::string(40, 'f'), ""},
      {"nope", ""},
      {"", ""},
      {"refs/heads/nope", ""},
  };
  for (const auto& c : cases) {
    auto r = store_->ResolveRevision(id_, c.rev);
    if (c.want.empty()) {
      ASSERT_FALSE(r.ok()) << c.rev;
      EXPECT_EQ(r.status().reason(), "RevisionNotFound") << c.rev;
    } else {
      ASSERT_TRUE(r.ok()) << c.rev << ": " << r.status().ToString();
      EXPECT_EQ(*r, c.want) << c.rev;
    }
  }
}

TEST_F(RepoStoreTest, RefsListing) {
  std::string c1 = CommitFile("a.txt", "one");
  ASSERT_TRUE(store_->CreateBranch(id_, "zeta", c1).ok());
  ASSERT_TRUE(store_->CreateBranch(id_, "alpha", "main").ok());
  ASSERT_TRUE(store_->CreateTag(id_, "v1", c1, "annotated", "T", "t@x").ok());
  EXPECT_EQ(*store_->NextPullRequestNumber(id_), 1);
  CommitRequest pr = Request("pr", {AddFile{"b.txt", "b"}}, "refs/pr/1");
  pr.base_commit = c1;
  auto pr1 = store_->Commit(id_, pr);
  ASSERT_TRUE(pr1.ok()) << pr1.status().ToString();
  EXPECT_EQ(pr1->parent_id, c1);
  pr.ref = "refs/pr/2";
  ASSERT_TRUE(store_->Commit(id_, pr).ok());
  pr.ref = "refs/pr/10";
  ASSERT_TRUE(store_->Commit(id_, pr).ok());
  pr.ref = "refs/convert/parquet";
  ASSERT_TRUE(store_->Commit(id_, pr).ok());
  EXPECT_EQ(*store_->NextPullRequestNumber(id_), 11);

  auto refs = store_->ListRefs(id_);
  ASSERT_TRUE(refs.ok());
  ASSERT_EQ(refs->branches.size(), 3u);
  EXPECT_EQ(refs->branches[0].name, "alpha");
  EXPECT_EQ(refs->branches[1].name, "main");
  EXPECT_EQ(refs->branches[1].ref, "refs/heads/main");
  EXPECT_EQ(refs->branches[1].target, c1);
  EXPECT_EQ(refs->branches[2].name, "zeta");
  ASSERT_EQ(refs->tags.size(), 1u);
  EXPECT_EQ(refs->tags[0].target, c1);  // annotated tag peeled to the commit
  ASSERT_EQ(refs->converts.size(), 1u);
  EXPECT_EQ(refs->converts[0].name, "parquet");
  ASSERT_EQ(refs->pull_requests.size(), 3u);
  EXPECT_EQ(refs->pull_requests[0].name, "refs/pr/1");
  EXPECT_EQ(refs->pull_requests[0].ref, "refs/pr/1");
  EXPECT_EQ(refs->pull_requests[2].name, "refs/pr/10");
  EXPECT_EQ(refs->pull_requests[0].target, pr1->commit_id);
}

TEST_F(RepoStoreTest, BranchAndTagLifecycle) {
  std::string c1 = CommitFile("a.txt", "one");
  ASSERT_TRUE(store_->CreateBranch(id_, "feature/x", c1).ok());
  EXPECT_EQ(store_->CreateBranch(id_, "feature/x", c1).code(), Code::kConflict);
  EXPECT_EQ(store_->CreateBranch(id_, "other", "nope").code(), Code::kNotFound);
  for (const char* bad : {"-x", "a..b", "a b", "", "x~1", "x^", "a:b", "x.lock", "/x"}) {
    EXPECT_EQ(store_->CreateBranch(id_, bad, c1).code(), Code::kInvalidArgument) << bad;
    EXPECT_EQ(store_->CreateTag(id_, bad, c1, "", "", "").code(), Code::kInvalidArgument) << bad;
  }
  ASSERT_TRUE(store_->DeleteBranch(id_, "feature/x").ok());
  Status again = store_->DeleteBranch(id_, "feature/x");
  EXPECT_EQ(again.reason(), "RevisionNotFound");
  EXPECT_EQ(store_->DeleteBranch(id_, "main").code(), Code::kInvalidArgument);

  ASSERT_TRUE(store_->CreateTag(id_, "v1", c1, "", "", "").ok());
  EXPECT_EQ(store_->CreateTag(id_, "v1", c1, "", "", "").code(), Code::kConflict);
  EXPECT_EQ(store_->CreateTag(id_, "v1", c1, "msg", "T", "t@x").code(), Code::kConflict);
  ASSERT_TRUE(store_->DeleteTag(id_, "v1").ok());
  EXPECT_EQ(store_->DeleteTag(id_, "v1").reason(), "RevisionNotFound");
  EXPECT_EQ(*store_->ResolveRevision(id_, "main"), c1);
}

}  // namespace
}  // namespace spacehub::repo

namespace spacehub::repo {
namespace {

// A writer killed while it held a ref lock (kill -9 of the hub mid-commit) leaves
// refs/heads/main.lock; git never removes it, so every later commit to main would fail. The
// cleanup `serve` runs at start brings the branch back, and touches nothing else.
TEST_F(RepoStoreTest, StaleRefLocksFromACrashAreRemovedAtStart) {
  ASSERT_TRUE(store_->Commit(id_, Request("first", {AddFile{"a.txt", "1"}})).ok());
  const auto git_dir = store_->GitDir(id_);
  spacehub::testing::WriteFile(git_dir / "refs" / "heads" / "main.lock", "");
  spacehub::testing::WriteFile(git_dir / "packed-refs.lock", "");
  auto blocked = store_->Commit(id_, Request("second", {AddFile{"b.txt", "2"}}));
  ASSERT_FALSE(blocked.ok());
  EXPECT_EQ(blocked.status().code(), Code::kUnavailable);

  EXPECT_EQ(store_->RemoveStaleLocks(), 2);
  EXPECT_FALSE(std::filesystem::exists(git_dir / "refs" / "heads" / "main.lock"));
  EXPECT_TRUE(std::filesystem::exists(git_dir / "HEAD"));
  EXPECT_TRUE(store_->Commit(id_, Request("second", {AddFile{"b.txt", "2"}})).ok());
  EXPECT_EQ(store_->RemoveStaleLocks(), 0);
}

}  // namespace
}  // namespace spacehub::repo
