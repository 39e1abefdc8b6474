// Tests for the huggingface_hub cache layout (spec §6.4).
#include "client/cache_layout.h"

#include <gtest/gtest.h>

#include "spacehub/errors.h"

namespace spacehub::client::detail {
namespace {

TEST(CacheLayoutTest, FolderNames) {
  EXPECT_EQ(RepoFolderName(RepoType::kModel, "ns/name"), "models--ns--name");
  EXPECT_EQ(RepoFolderName(RepoType::kDataset, "ns/d"), "datasets--ns--d");
  EXPECT_EQ(RepoFolderName(RepoType::kSpace, "u/s"), "spaces--u--s");
  EXPECT_EQ(RepoFolderName(RepoType::kModel, "gpt2"), "models--gpt2");
}

TEST(CacheLayoutTest, Etags) {
  EXPECT_EQ(NormalizeEtag("\"abc\""), "abc");
  EXPECT_EQ(NormalizeEtag("W/\"abc\""), "abc");
  EXPECT_EQ(NormalizeEtag("abc"), "abc");
}

TEST(CacheLayoutTest, PathsForNestedFile) {
  const std::string commit(40, 'a');
  CachePaths p =
      MakeCachePaths("/c", RepoType::kSpace, "u/s", "main", commit, "src/app/x.py", "e1");
  EXPECT_EQ(p.repo_dir, "/c/spaces--u--s");
  EXPECT_EQ(p.blob, "/c/spaces--u--s/blobs/e1");
  EXPECT_EQ(p.incomplete, "/c/spaces--u--s/blobs/e1.incomplete");
  EXPECT_EQ(p.snapshot, "/c/spaces--u--s/snapshots/" + commit + "/src/app/x.py");
  EXPECT_EQ(p.ref, "/c/spaces--u--s/refs/main");
  EXPECT_EQ(p.lock, "/c/.locks/spaces--u--s/e1.lock");
  EXPECT_EQ(p.link_target, "../../../../blobs/e1");
}

TEST(CacheLayoutTest, CommitRevisionWritesNoRef) {
  const std::string commit(40, 'b');
  CachePaths p = MakeCachePaths("/c", RepoType::kModel, "u/m", commit, commit, "w.bin", "e");
  EXPECT_EQ(p.ref, "");
  EXPECT_EQ(p.link_target, "../../blobs/e");
  EXPECT_TRUE(IsCommitHash(commit));
  EXPECT_FALSE(IsCommitHash("main"));
  EXPECT_FALSE(IsCommitHash(std::string(40, 'G')));
}

TEST(CacheLayoutTest, RejectsEscapes) {
  for (const char* bad : {"../x", "a/../b", "/abs", "", "a//b", "dir/"}) {
    EXPECT_THROW(MakeCachePaths("/c", RepoType::kModel, "u/m", "main", "c", bad, "e"), LocalError)
        << bad;
  }
  EXPECT_THROW(MakeCachePaths("/c", RepoType::kModel, "u/m", "main", "c", "x", "../e"), LocalError);
}

TEST(CacheLayoutTest, NoExistMarkers) {
  const std::string commit(40, 'c');
  struct Case {
    const char* commit;
    const char* path;
    const char* want;
  } cases[] = {
      {"cccccccccccccccccccccccccccccccccccccccc", "missing.bin",
       "/c/models--u--m/.no_exist/cccccccccccccccccccccccccccccccccccccccc/missing.bin"},
      {"cccccccccccccccccccccccccccccccccccccccc", "sub/dir/x.json",
       "/c/models--u--m/.no_exist/cccccccccccccccccccccccccccccccccccccccc/sub/dir/x.json"},
      {"v1.0", "a b.txt", "/c/models--u--m/.no_exist/v1.0/a b.txt"},  // any name the server sends
      {"", "x", ""},
      {"..", "x", ""},
      {".", "x", ""},
      {"a/../../b", "x", ""},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(NoExistPath("/c/models--u--m", c.commit, c.path), c.want)
        << c.commit << " " << c.path;
  }
  EXPECT_THROW(NoExistPath("/c/models--u--m", commit, "../x"), LocalError);
}

}  // namespace
}  // namespace spacehub::client::detail
