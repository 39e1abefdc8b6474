// RepoStore::Commit and the tree/history read side.
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <thread>

#include "repo/repo_store.h"
#include "repo/test_util.h"

namespace spacehub::repo {
namespace {

using testing::Model;
using testing::Request;

class CommitTest : public testing::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    store_ = std::make_unique<RepoStore>(dir_ / "repos");
    ASSERT_TRUE(store_->Create(id_).ok());
  }
  Result<CommitResult> Commit(std::vector<CommitOp> ops) {
    return store_->Commit(id_, Request("change", std::move(ops)));
  }
  std::vector<std::string> Paths(std::string_view dir, bool recursive) {
    auto r = store_->ListTree(id_, "main", dir, recursive);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::vector<std::string> out;
    if (r.ok()) {
      for (const auto& e : *r) out.push_back(e.is_dir ? e.path + "/" : e.path);
    }
    return out;
  }
  void ExpectFsckClean() {
    std::string out;
    int rc =
        testing::RunShell("git --git-dir=" + store_->GitDir(id_).string() + " fsck --full", &out);
    EXPECT_EQ(rc, 0) << out;
    EXPECT_EQ(out.find("error"), std::string::npos) << out;
  }

  RepoId id_ = Model("alice", "model");
  std::unique_ptr<RepoStore> store_;
};

const std::string kSha(64, 'b');

TEST_F(CommitTest, AddDeleteAndList) {
  auto c1 =
      Commit({AddFile{"README.md", "# hi\n"}, AddFile{"a/b/c.txt", "ccc"}, AddFile{"a/d.txt", "dd"},
              AddLfsFile{"model.bin", {kSha, 5000000}}, AddFile{"a.txt", "x"}});
  ASSERT_TRUE(c1.ok()) << c1.status().ToString();
  EXPECT_EQ(c1->parent_id, "");
  EXPECT_EQ(Paths("", false), (std::vector<std::string>{"README.md", "a.txt", "a/", "model.bin"}));
  EXPECT_EQ(Paths("", true), (std::vector<std::string>{"README.md", "a.txt", "a/", "a/b/",
                                                       "a/b/c.txt", "a/d.txt", "model.bin"}));
  EXPECT_EQ(Paths("a", false), (std::vector<std::string>{"a/b/", "a/d.txt"}));
  EXPECT_EQ(Paths("a/", true), (std::vector<std::string>{"a/b/", "a/b/c.txt", "a/d.txt"}));
  EXPECT_EQ(Paths("a/d.txt", false), (std::vector<std::string>{"a/d.txt"}));
  EXPECT_EQ(store_->ListTree(id_, "main", "nope", false).status().reason(), "EntryNotFound");

  auto lfs = store_->Stat(id_, "main", "model.bin");
  ASSERT_TRUE(lfs.ok());
  ASSERT_TRUE(lfs->lfs.has_value());
  EXPECT_EQ(lfs->lfs->oid, kSha);
  EXPECT_EQ(lfs->size, 5000000u);
  EXPECT_EQ(lfs->pointer_size, FormatLfsPointer({kSha, 5000000}).size());
  auto plain = store_->Stat(id_, c1->commit_id, "a/b/c.txt");
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->is_dir);
  EXPECT_FALSE(plain->lfs.has_value());
  EXPECT_EQ(plain->size, 3u);
  EXPECT_EQ(plain->oid.size(), 40u);
  auto root = store_->Stat(id_, "main", "");
  ASSERT_TRUE(root.ok());
  EXPECT_TRUE(root->is_dir);
  EXPECT_TRUE(store_->Stat(id_, "main", "a/b")->is_dir);
  EXPECT_EQ(store_->Stat(id_, "main", "a/x").status().reason(), "EntryNotFound");
  EXPECT_EQ(*store_->ReadFile(id_, "main", "a/b/c.txt"), "ccc");
  EXPECT_EQ(*store_->ReadFile(id_, "main", "model.bin"), FormatLfsPointer({kSha, 5000000}));
  EXPECT_EQ(store_->ReadFile(id_, "main", "a").status().reason(), "EntryNotFound");

  auto c2 = Commit({DeleteFile{"a.txt"}, DeleteFolder{"a/b"}, AddFile{"README.md", "v2"}});
  ASSERT_TRUE(c2.ok()) << c2.status().ToString();
  EXPECT_EQ(c2->parent_id, c1->commit_id);
  EXPECT_EQ(Paths("", true), (std::vector<std::string>{"README.md", "a/", "a/d.txt", "model.bin"}));
  EXPECT_EQ(*store_->ReadFile(id_, c1->commit_id, "README.md"), "# hi\n");
  EXPECT_EQ(*store_->ReadFile(id_, "main", "README.md"), "v2");
  ExpectFsckClean();
}

TEST_F(CommitTest, DeleteMissingAndPathClashes) {
  auto base = Commit({AddFile{"a/b.txt", "x"}, AddFile{"f", "file"}});
  ASSERT_TRUE(base.ok());
  Status missing = Commit({DeleteFile{"nope.txt"}}).status();
  EXPECT_EQ(missing.code(), Code::kNotFound);
  EXPECT_EQ(missing.reason(), "EntryNotFound");
  EXPECT_NE(missing.message().find("A file with this name doesn't exist"), std::string::npos);
  EXPECT_EQ(Commit({DeleteFile{"a"}}).status().reason(), "EntryNotFound");
  EXPECT_EQ(Commit({DeleteFolder{"zzz"}}).status().reason(), "EntryNotFound");
  EXPECT_EQ(Commit({AddFile{"a", "clash"}}).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(Commit({AddFile{"f/g.txt", "clash"}}).status().code(), Code::kInvalidArgument);
  // Same paths become valid once the obstacle is removed earlier in the same commit.
  auto ok = Commit({DeleteFolder{"a"}, AddFile{"a", "now a file"}, DeleteFile{"f"},
                    AddFile{"f/g.txt", "now a folder"}});
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(Paths("", true), (std::vector<std::string>{"a", "f/", "f/g.txt"}));
  EXPECT_EQ(*store_->CountCommits(id_, "main"), 2u);  // failed commits left no trace
}

TEST_F(CommitTest, StaleParentIsAConflict) {
  auto c1 = Commit({AddFile{"x", "1"}});
  auto c2 = Commit({AddFile{"x", "2"}});
  ASSERT_TRUE(c1.ok() && c2.ok());
  CommitRequest req = Request("stale", {AddFile{"x", "3"}});
  req.expected_parent = c1->commit_id;
  Status st = store_->Commit(id_, req).status();
  EXPECT_EQ(st.code(), Code::kConflict);
  EXPECT_NE(st.message().find(c2->commit_id), std::string::npos) << st.message();
  EXPECT_EQ(*store_->ResolveRevision(id_, "main"), c2->commit_id);

  req.expected_parent = c2->commit_id;
  auto c3 = store_->Commit(id_, req);
  ASSERT_TRUE(c3.ok()) << c3.status().ToString();
  EXPECT_EQ(c3->parent_id, c2->commit_id);

  CommitRequest new_branch = Request("nb", {AddFile{"y", "1"}}, "refs/heads/new");
  new_branch.expected_parent = c1->commit_id;
  EXPECT_EQ(store_->Commit(id_, new_branch).status().code(), Code::kConflict);
  new_branch.base_commit = c1->commit_id;
  ASSERT_TRUE(store_->Commit(id_, new_branch).ok());
}

TEST_F(CommitTest, HistoryAndLastCommit) {
  CommitRequest first = Request("first", {AddFile{"a", "1"}, AddFile{"d/b", "1"}});
  first.description = "line one\nline two";
  auto c1 = store_->Commit(id_, first);
  auto c2 = Commit({AddFile{"a", "2"}});
  auto c3 = Commit({AddFile{"c", "3"}});
  ASSERT_TRUE(c1.ok() && c2.ok() && c3.ok());
  auto log = store_->Log(id_, "main", 0, 10);
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->size(), 3u);
  EXPECT_EQ((*log)[0].id, c3->commit_id);
  EXPECT_EQ((*log)[2].id, c1->commit_id);
  EXPECT_EQ((*log)[2].title, "first");
  EXPECT_EQ((*log)[2].message, "line one\nline two");
  EXPECT_EQ((*log)[2].author_name, "Tester");
  EXPECT_EQ((*log)[0].parents, std::vector<std::string>{c2->commit_id});
  EXPECT_GT((*log)[0].time_millis, 0);
  auto page = store_->Log(id_, "main", 1, 1);
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ((*page)[0].id, c2->commit_id);
  EXPECT_EQ(*store_->CountCommits(id_, "main"), 3u);
  EXPECT_EQ(*store_->CountCommits(id_, c2->commit_id), 2u);
  EXPECT_EQ(store_->LastCommitFor(id_, "main", "a")->id, c2->commit_id);
  EXPECT_EQ(store_->LastCommitFor(id_, "main", "d/b")->id, c1->commit_id);
  EXPECT_EQ(store_->LastCommitFor(id_, "main", "d")->id, c1->commit_id);
  EXPECT_EQ(store_->LastCommitFor(id_, "main", "c")->id, c3->commit_id);
  EXPECT_EQ(store_->LastCommitFor(id_, "main", "")->id, c3->commit_id);
  EXPECT_EQ(store_->LastCommitFor(id_, "main", "zz").status().reason(), "EntryNotFound");
  EXPECT_EQ(store_->GetCommit(id_, c2->commit_id)->title, "change");
}

// Runs 8 writers x 20 commits each; `per_thread_store` gives each writer its own RepoStore so the
// in-process lock does not serialise them and the ref CAS + retry path does the work.
void ConcurrentCommits(const std::filesystem::path& root, const RepoId& id, bool per_thread_store) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 20;
  RepoStore shared(root);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::unique_ptr<RepoStore> own;
      if (per_thread_store) own = std::make_unique<RepoStore>(root);
      RepoStore& store = per_thread_store ? *own : shared;
      for (int i = 0; i < kPerThread; ++i) {
        std::string path = "t" + std::to_string(t) + "/f" + std::to_string(i);
        auto r = store.Commit(id, Request(path, {AddFile{path, path}}));
        if (!r.ok()) {
          ADD_FAILURE() << r.status().ToString();
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_EQ(failures.load(), 0);
  auto tree = shared.ListTree(id, "main", "", true);
  ASSERT_TRUE(tree.ok());
  size_t files = 0;
  for (const auto& e : *tree) files += e.is_dir ? 0 : 1;
  EXPECT_EQ(files, size_t{kThreads * kPerThread});
  EXPECT_EQ(*shared.CountCommits(id, "main"), size_t{kThreads * kPerThread});
}

TEST_F(CommitTest, ConcurrentCommitsLoseNothing) {
  ConcurrentCommits(dir_ / "repos", id_, false);
  ExpectFsckClean();
}

TEST_F(CommitTest, ConcurrentCommitsThroughRefCas) {
  ConcurrentCommits(dir_ / "repos", id_, true);
  ExpectFsckClean();
}

// Regression: creating a ref that does not exist yet must also be a CAS (git_reference_create with
// force=0 checks existence before taking the lock, so racing root commits could overwrite each
// other). Every round starts 8 writers at once on a missing ref.
TEST_F(CommitTest, RacingRootCommitsAndBranchCreation) {
  for (int round = 0; round < 10; ++round) {
    RepoId id = Model("race", "r" + std::to_string(round));
    ASSERT_TRUE(store_->Create(id).ok());
    std::atomic<bool> go{false};
    std::atomic<int> created{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        RepoStore own(dir_ / "repos");  // separate stores: no shared in-process lock
        while (!go.load()) std::this_thread::yield();
        std::string path = "f" + std::to_string(t);
        auto r = own.Commit(id, Request(path, {AddFile{path, path}}));
        EXPECT_TRUE(r.ok()) << r.status().ToString();
        Status st = own.CreateBranch(id, "b", "main");
        if (st.ok())
          ++created;
        else
          EXPECT_EQ(st.code(), Code::kConflict) << st.ToString();
      });
    }
    go = true;
    for (auto& th : threads) th.join();
    EXPECT_EQ(*store_->CountCommits(id, "main"), 8u);
    EXPECT_EQ(store_->ListTree(id, "main", "", false)->size(), 8u);
    EXPECT_EQ(created.load(), 1);
  }
}

TEST_F(CommitTest, TenThousandFiles) {
  std::vector<CommitOp> ops;
  for (int i = 0; i < 10000; ++i) {
    std::string path = "d" + std::to_string(i % 100) + "/file" + std::to_string(i) + ".txt";
    ops.push_back(AddFile{path, "content of " + path + "\n"});
  }
  auto start = std::chrono::steady_clock::now();
  auto r = Commit(std::move(ops));
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  start)
                .count();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::printf("[ timing ] 10,000-file commit took %lld ms\n", static_cast<long long>(ms));
  start = std::chrono::steady_clock::now();
  auto second = Commit({AddFile{"d1/extra.txt", "x"}, DeleteFolder{"d2"}});
  ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                             start)
           .count();
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  std::printf("[ timing ] small commit on top of 10,000 files took %lld ms\n",
              static_cast<long long>(ms));
  auto tree = store_->ListTree(id_, "main", "", true);
  ASSERT_TRUE(tree.ok());
  EXPECT_EQ(tree->size(), 10000u - 100 + 1 + 99);
  ExpectFsckClean();
}

}  // namespace
}  // namespace spacehub::repo
