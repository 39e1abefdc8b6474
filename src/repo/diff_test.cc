// RepoStore::DiffCommit against real commits: statuses, renames, binary and LFS files, limits.
#include "repo/diff.h"

#include <gtest/gtest.h>

#include "repo/repo_store.h"
#include "repo/test_util.h"

namespace spacehub::repo {
namespace {

using testing::Model;
using testing::Request;

class DiffTest : public testing::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    store_ = std::make_unique<RepoStore>(dir_ / "repos");
    ASSERT_TRUE(store_->Create(id_).ok());
  }
  std::string Commit(std::vector<CommitOp> ops) {
    auto r = store_->Commit(id_, Request("change", std::move(ops)));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->commit_id : "";
  }
  CommitDiff Diff(const std::string& sha, const DiffLimits& limits = {}) {
    auto r = store_->DiffCommit(id_, sha, limits);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : CommitDiff{};
  }
  static const FileDiff* Find(const CommitDiff& d, std::string_view path) {
    for (const auto& f : d.files) {
      if (f.new_path == path) return &f;
    }
    return nullptr;
  }

  RepoId id_ = Model("alice", "model");
  std::unique_ptr<RepoStore> store_;
};

std::string Lines(int from, int to) {
  std::string s;
  for (int i = from; i <= to; ++i) s += "line " + std::to_string(i) + "\n";
  return s;
}

TEST_F(DiffTest, RootCommitAddsEverything) {
  std::string sha = Commit({AddFile{"README.md", "# Hi\n"}, AddFile{"src/a.py", "x = 1\ny = 2\n"}});
  CommitDiff d = Diff(sha);
  EXPECT_EQ(d.commit_id, sha);
  EXPECT_EQ(d.parent_id, "");
  EXPECT_EQ(d.total_files, 2u);
  ASSERT_EQ(d.files.size(), 2u);
  const FileDiff* a = Find(d, "src/a.py");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->status, DiffStatus::kAdded);
  EXPECT_EQ(a->old_path, "src/a.py");
  EXPECT_EQ(a->additions, 2u);
  EXPECT_EQ(a->deletions, 0u);
  EXPECT_EQ(a->patch, "@@ -0,0 +1,2 @@\n+x = 1\n+y = 2\n");
  EXPECT_FALSE(a->binary || a->lfs || a->truncated);
}

TEST_F(DiffTest, ModifyAndDelete) {
  std::string first = Commit({AddFile{"a.txt", Lines(1, 10)}, AddFile{"gone.txt", "bye\n"}});
  std::string sha =
      Commit({AddFile{"a.txt", Lines(1, 4) + "changed\n" + Lines(6, 10)}, DeleteFile{"gone.txt"}});
  CommitDiff d = Diff(sha);
  EXPECT_EQ(d.parent_id, first);
  ASSERT_EQ(d.files.size(), 2u);
  EXPECT_EQ(d.files[0].new_path, "a.txt");
  EXPECT_EQ(d.files[0].status, DiffStatus::kModified);
  EXPECT_EQ(d.files[0].additions, 1u);
  EXPECT_EQ(d.files[0].deletions, 1u);
  EXPECT_EQ(d.files[0].patch,
            "@@ -2,7 +2,7 @@ line 1\n line 2\n line 3\n line 4\n-line 5\n+changed\n line 6\n"
            " line 7\n line 8\n");
  EXPECT_EQ(d.files[1].old_path, "gone.txt");
  EXPECT_EQ(d.files[1].status, DiffStatus::kDeleted);
  EXPECT_EQ(d.files[1].deletions, 1u);
  EXPECT_EQ(d.files[1].patch, "@@ -1 +0,0 @@\n-bye\n");
}

TEST_F(DiffTest, MissingNewlineAtEnd) {
  Commit({AddFile{"a.txt", "one\ntwo"}});
  CommitDiff d = Diff(Commit({AddFile{"a.txt", "one\nthree"}}));
  ASSERT_EQ(d.files.size(), 1u);
  EXPECT_EQ(d.files[0].patch,
            "@@ -1,2 +1,2 @@\n one\n-two\n\\ No newline at end of file\n+three\n"
            "\\ No newline at end of file\n");
}

TEST_F(DiffTest, Renames) {
  Commit({AddFile{"old/name.txt", Lines(1, 20)}, AddFile{"same.txt", Lines(1, 20) + "x\n"}});
  std::string sha =
      Commit({DeleteFile{"old/name.txt"}, AddFile{"new/name.txt", Lines(1, 20)},
              DeleteFile{"same.txt"}, AddFile{"edited.txt", Lines(1, 19) + "y\n" + "x\n"}});
  CommitDiff d = Diff(sha);
  ASSERT_EQ(d.files.size(), 2u);
  const FileDiff* moved = Find(d, "new/name.txt");
  ASSERT_NE(moved, nullptr);
  EXPECT_EQ(moved->status, DiffStatus::kRenamed);
  EXPECT_EQ(moved->old_path, "old/name.txt");
  EXPECT_EQ(moved->patch, "");
  EXPECT_EQ(moved->additions + moved->deletions, 0u);
  const FileDiff* edited = Find(d, "edited.txt");
  ASSERT_NE(edited, nullptr);
  EXPECT_EQ(edited->status, DiffStatus::kRenamed);
  EXPECT_EQ(edited->old_path, "same.txt");
  EXPECT_EQ(edited->additions, 1u);
  EXPECT_EQ(edited->deletions, 1u);
}

TEST_F(DiffTest, BinaryFile) {
  std::string bin("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
  Commit({AddFile{"img.png", bin}});
  CommitDiff d = Diff(Commit({AddFile{"img.png", bin + std::string(100, '\0')}}));
  ASSERT_EQ(d.files.size(), 1u);
  EXPECT_TRUE(d.files[0].binary);
  EXPECT_EQ(d.files[0].status, DiffStatus::kModified);
  EXPECT_EQ(d.files[0].patch, "");
  EXPECT_EQ(d.files[0].additions, 0u);
}

TEST_F(DiffTest, LfsPointers) {
  const LfsPointer before{std::string(64, 'a'), 1'000'000};
  const LfsPointer after{std::string(64, 'b'), 2'000'000};
  Commit({AddFile{"model.bin", FormatLfsPointer(before)}});
  CommitDiff d = Diff(Commit({AddFile{"model.bin", FormatLfsPointer(after)}}));
  ASSERT_EQ(d.files.size(), 1u);
  const FileDiff& f = d.files[0];
  EXPECT_TRUE(f.lfs);
  ASSERT_TRUE(f.old_lfs.has_value());
  ASSERT_TRUE(f.new_lfs.has_value());
  EXPECT_EQ(f.old_lfs->size, 1'000'000u);
  EXPECT_EQ(f.new_lfs->oid, after.oid);
  EXPECT_FALSE(f.binary);
  // A text file that merely looks a little like a pointer is not one.
  CommitDiff plain =
      Diff(Commit({AddFile{"notes.txt", "version https://git-lfs.github.com/spec/v1\n"}}));
  ASSERT_EQ(plain.files.size(), 1u);
  EXPECT_FALSE(plain.files[0].lfs);
}

TEST_F(DiffTest, HugeFileIsTruncated) {
  std::string big;
  for (int i = 0; i < 40'000; ++i) big += "row " + std::to_string(i) + " of a large csv file\n";
  ASSERT_GT(big.size(), 256u * 1024);
  CommitDiff d = Diff(Commit({AddFile{"data.csv", big}, AddFile{"small.txt", "s\n"}}));
  ASSERT_EQ(d.files.size(), 2u);
  const FileDiff* f = Find(d, "data.csv");
  ASSERT_NE(f, nullptr);
  EXPECT_TRUE(f->truncated);
  EXPECT_EQ(f->patch, "");
  EXPECT_EQ(f->additions, 40'000u);  // counted even when not shown
  EXPECT_FALSE(Find(d, "small.txt")->truncated);
  EXPECT_EQ(Find(d, "small.txt")->patch, "@@ -0,0 +1 @@\n+s\n");
}

TEST_F(DiffTest, BlobOverLimitIsNotRead) {
  std::string big(2000, 'x');
  big += "\n";
  CommitDiff d = Diff(Commit({AddFile{"big.txt", big}}), {.max_blob_bytes = 1000});
  ASSERT_EQ(d.files.size(), 1u);
  EXPECT_TRUE(d.files[0].truncated);
  EXPECT_FALSE(d.files[0].binary);
  EXPECT_EQ(d.files[0].additions, 0u);
}

TEST_F(DiffTest, TotalPatchLimit) {
  std::vector<CommitOp> ops;
  ops.reserve(5);
  for (int i = 0; i < 5; ++i) ops.push_back(AddFile{"f" + std::to_string(i), Lines(1, 100)});
  CommitDiff d = Diff(Commit(std::move(ops)), {.max_total_patch_bytes = 3000});
  ASSERT_EQ(d.files.size(), 5u);
  size_t shown = 0;
  for (const auto& f : d.files) {
    EXPECT_EQ(f.truncated, f.patch.empty());
    EXPECT_EQ(f.additions, 100u);
    shown += f.patch.size();
  }
  EXPECT_LE(shown, 3000u);
  EXPECT_FALSE(d.files[0].truncated);
  EXPECT_TRUE(d.files[4].truncated);
}

TEST_F(DiffTest, MaxFiles) {
  std::vector<CommitOp> ops;
  ops.reserve(50);
  for (int i = 0; i < 50; ++i) ops.push_back(AddFile{"f" + std::to_string(100 + i), "x\n"});
  CommitDiff d = Diff(Commit(std::move(ops)), {.max_files = 10});
  EXPECT_EQ(d.total_files, 50u);
  ASSERT_EQ(d.files.size(), 10u);
  EXPECT_EQ(d.files[0].new_path, "f100");
  EXPECT_EQ(d.files[9].new_path, "f109");
}

TEST_F(DiffTest, UnknownRevisionsAndRepos) {
  Commit({AddFile{"a", "a"}});
  auto r = store_->DiffCommit(id_, std::string(40, 'f'), {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  // Revision syntax is not git's: "main~1" is just an unknown name.
  EXPECT_EQ(store_->DiffCommit(id_, "main~1", {}).status().code(), Code::kNotFound);
  EXPECT_EQ(store_->DiffCommit(Model("alice", "none"), "main", {}).status().code(),
            Code::kNotFound);
  EXPECT_TRUE(store_->DiffCommit(id_, "main", {}).ok());
}

}  // namespace
}  // namespace spacehub::repo
