// Tests for LookupCache (huggingface_hub's try_to_load_from_cache) on a cache built in a temp dir.
#include "client/cache_lookup.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "spacehub/errors.h"

namespace spacehub::client::detail {
namespace {

namespace fs = std::filesystem;

class CacheLookupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("cache_lookup_test." + std::to_string(::getpid()));
    fs::remove_all(dir_);
    repo_ = dir_ / "models--u--m";
    Write(repo_ / "refs" / "main", commit_);  // as written: no newline
    Write(repo_ / "blobs" / "e1", "content");
    fs::create_directories(repo_ / "snapshots" / commit_ / "sub");
    fs::create_symlink("../../../blobs/e1", repo_ / "snapshots" / commit_ / "sub" / "a.txt");
    Write(repo_ / ".no_exist" / commit_ / "missing.json", "");
  }
  void TearDown() override { fs::remove_all(dir_); }

  static void Write(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
  }
  CachedFile Look(const std::string& rev, const std::string& path,
                  RepoType type = RepoType::kModel) {
    return LookupCache(dir_.string(), type, "u/m", rev, path);
  }

  const std::string commit_ = std::string(40, 'a');
  fs::path dir_, repo_;
};

TEST_F(CacheLookupTest, ThreeAnswers) {
  using S = CachedFile::State;
  struct Case {
    std::string rev, path;
    S state;
  } cases[] = {
      {"main", "sub/a.txt", S::kCached},
      {"", "sub/a.txt", S::kCached},  // "" = main
      {std::string(40, 'a'), "sub/a.txt", S::kCached},
      {"main", "missing.json", S::kNonExistent},
      {std::string(40, 'a'), "missing.json", S::kNonExistent},
      {"main", "other.txt", S::kNotCached},
      {"dev", "sub/a.txt", S::kNotCached},  // no ref: never another revision's file
      {std::string(40, 'b'), "sub/a.txt", S::kNotCached},
      {"main", "sub", S::kNotCached},  // a directory is not a cached file
  };
  for (const auto& c : cases) {
    CachedFile f = Look(c.rev, c.path);
    EXPECT_EQ(f.state, c.state) << c.rev << " " << c.path;
    if (c.state == S::kCached) {
      EXPECT_EQ(f.path, (repo_ / "snapshots" / commit_ / "sub" / "a.txt").string());
    } else {
      EXPECT_EQ(f.path, "");
    }
  }
  EXPECT_EQ(Look("main", "sub/a.txt", RepoType::kDataset).state, S::kNotCached);
  EXPECT_THROW(Look("main", "../x"), LocalError);
}

TEST_F(CacheLookupTest, ARefWrittenWithANewlineStillResolves) {
  Write(repo_ / "refs" / "v1", commit_ + "\n");
  EXPECT_EQ(Look("v1", "missing.json").state, CachedFile::State::kNonExistent);
}

TEST_F(CacheLookupTest, CachedCommitResolvesOffline) {
  Write(repo_ / "refs" / "refs" / "pr" / "1", std::string(40, 'c'));
  const std::string repo = repo_.string();
  EXPECT_EQ(CachedCommit(repo, "main"), commit_);
  EXPECT_EQ(CachedCommit(repo, "refs/pr/1"), std::string(40, 'c'));
  EXPECT_EQ(CachedCommit(repo, std::string(40, 'b')), std::string(40, 'b'));  // a hash: itself
  EXPECT_EQ(CachedCommit(repo, "dev"), "");                                   // no ref
  EXPECT_EQ(CachedCommit(repo, ""), "");
  EXPECT_EQ(CachedCommit(repo, "../../x"), "");
  EXPECT_EQ(CachedCommit((dir_ / "models--u--absent").string(), "main"), "");
}

}  // namespace
}  // namespace spacehub::client::detail
