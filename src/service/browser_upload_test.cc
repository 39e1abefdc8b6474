// CommitUploads over a real hub in a temporary directory: which files become LFS objects (size,
// binary, .gitattributes), that they are stored and linked so they download, and that nothing is
// stored or committed for a caller without write access, a bad path or a stale parent.
#include "service/browser_upload.h"

#include <gtest/gtest.h>

#include "core/crypto.h"
#include "service/file_service.h"
#include "service/lfs_links.h"
#include "service/repo_service.h"
#include "service/test_util.h"

namespace spacehub::service {
namespace {

class BrowserUploadTest : public HubTest {
 protected:
  void SetUp() override {
    HubOptions options;
    options.lfs_threshold_bytes = 100;  // small, so a text file can cross it
    OpenHub(options);
    alice_ = User("alice");
    bob_ = User("bob");
    RepoService repos(hub());
    auto row = repos.Create(alice_, {RepoType::kModel, "", "m", false, ""}, "http://hub");
    ASSERT_TRUE(row.ok()) << row.status().message();
    id_ = row->repo;
    repo_row_id_ = row->id;
  }

  Result<CommitOutput> Upload(const Caller& who, std::vector<UploadedFile> files,
                              std::optional<std::string> parent = std::nullopt) {
    CommitService commits(hub());
    UploadInput in;
    in.summary = "upload";
    in.parent_commit = std::move(parent);
    in.files = std::move(files);
    return CommitUploads(hub(), commits, who, id_, in);
  }

  repo::TreeEntry Stat(const std::string& path) {
    FileService files(hub());
    auto got = files.PathsInfo(alice_, id_, "main", {path}, false);
    EXPECT_TRUE(got.ok() && got->size() == 1) << path;
    return got.ok() && !got->empty() ? got->front().entry : repo::TreeEntry{};
  }

  std::string Head() { return *hub().repos.ResolveRevision(id_, "main"); }

  Caller alice_, bob_;
  RepoId id_;
  int64_t repo_row_id_ = 0;
};

TEST_F(BrowserUploadTest, SmallTextIsAPlainBlobLargeAndBinaryGoToLfs) {
  const std::string text = "hello\n";
  const std::string large(150, 'x');
  const std::string binary("\0\1\2", 3);
  const std::string weights = "by .gitattributes";
  auto out = Upload(
      alice_, {{"a.txt", text}, {"big.txt", large}, {"b.dat", binary}, {"w.safetensors", weights}});
  ASSERT_TRUE(out.ok()) << out.status().message();

  EXPECT_FALSE(Stat("a.txt").lfs);
  for (const auto& [path, data] : {std::pair<std::string, std::string>{"big.txt", large},
                                   {"b.dat", binary},
                                   {"w.safetensors", weights}}) {
    repo::TreeEntry e = Stat(path);
    ASSERT_TRUE(e.lfs) << path;
    EXPECT_EQ(e.lfs->oid, Sha256Hex(data)) << path;
    EXPECT_EQ(e.size, data.size()) << path;
    EXPECT_TRUE(*IsLfsLinked(hub(), repo_row_id_, e.lfs->oid)) << path;
    FileService files(hub());
    auto resolved = files.Resolve(alice_, id_, "main", path);
    ASSERT_TRUE(resolved.ok()) << resolved.status().message();
    EXPECT_FALSE(resolved->lfs_path.empty()) << path;
  }
}

TEST_F(BrowserUploadTest, NoWriteAccessStoresNothing) {
  const std::string large(150, 'y');
  const std::string head = Head();
  auto out = Upload(bob_, {{"big.txt", large}});
  EXPECT_EQ(out.status().code(), Code::kPermissionDenied);
  EXPECT_FALSE(hub().lfs.Exists(Sha256Hex(large)));
  EXPECT_EQ(Head(), head);
  EXPECT_EQ(Upload(std::nullopt, {{"big.txt", large}}).status().code(), Code::kUnauthenticated);
  EXPECT_FALSE(hub().lfs.Exists(Sha256Hex(large)));
}

TEST_F(BrowserUploadTest, BadPathsAndDuplicatesAreRefusedBeforeAnythingIsStored) {
  const std::string large(150, 'z');
  const std::string head = Head();
  for (const char* bad : {"../x", "/abs", "a/.git/config", ""}) {
    auto out = Upload(alice_, {{"ok.bin", large}, {bad, "x"}});
    EXPECT_EQ(out.status().code(), Code::kInvalidArgument) << bad;
  }
  EXPECT_EQ(Upload(alice_, {{"same", "1"}, {"same", "2"}}).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(Upload(alice_, {}).status().code(), Code::kInvalidArgument);
  EXPECT_FALSE(hub().lfs.Exists(Sha256Hex(large)));
  EXPECT_EQ(Head(), head);
}

TEST_F(BrowserUploadTest, StaleParentIsAConflict) {
  const std::string parent = Head();
  ASSERT_TRUE(Upload(alice_, {{"f.txt", "1"}}, parent).ok());
  auto stale = Upload(alice_, {{"f.txt", "2"}}, parent);
  EXPECT_EQ(stale.status().code(), Code::kConflict);
  FileService files(hub());
  EXPECT_EQ(files.Resolve(alice_, id_, "main", "f.txt")->content, "1");
}

}  // namespace
}  // namespace spacehub::service
