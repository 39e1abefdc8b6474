// Tests for the local-dir download layout and its metadata files (huggingface_hub's
// _local_folder.py). The short hashes were computed with Python:
// base64.urlsafe_b64encode(hashlib.sha1(b"file.txt.metadata").digest()).
#include "client/local_dir.h"

#include <gtest/gtest.h>

#include "spacehub/errors.h"

namespace spacehub::client::detail {
namespace {

TEST(LocalDirTest, Paths) {
  LocalDirPaths p = MakeLocalDirPaths("/data/out/", "file.txt");
  EXPECT_EQ(p.file, "/data/out/file.txt");
  EXPECT_EQ(p.gitignore, "/data/out/.cache/huggingface/.gitignore");
  EXPECT_EQ(p.metadata, "/data/out/.cache/huggingface/download/file.txt.metadata");
  EXPECT_EQ(p.lock, "/data/out/.cache/huggingface/download/file.txt.lock");
  EXPECT_EQ(p.Incomplete("abc"),
            "/data/out/.cache/huggingface/download/-cBLXcT-p5K-naX2rfKJhBZ6mEc=.abc.incomplete");

  LocalDirPaths n = MakeLocalDirPaths("rel", "nested/deeper/b c.bin");
  EXPECT_EQ(n.file, "rel/nested/deeper/b c.bin");
  EXPECT_EQ(n.metadata, "rel/.cache/huggingface/download/nested/deeper/b c.bin.metadata");
  EXPECT_EQ(n.lock, "rel/.cache/huggingface/download/nested/deeper/b c.bin.lock");
  EXPECT_EQ(
      n.Incomplete("e"),
      "rel/.cache/huggingface/download/nested/deeper/cRNzyrgpvP92eoRJK8tyBQauc0w=.e.incomplete");

  EXPECT_EQ(MakeLocalDirPaths("/", "x").file, "/x");
  for (const char* bad : {"../x", "a/../b", "/abs", ""}) {
    EXPECT_THROW(MakeLocalDirPaths("/d", bad), LocalError) << bad;
  }
  EXPECT_THROW(MakeLocalDirPaths("", "x"), LocalError);
}

TEST(LocalDirTest, MetadataRoundTrip) {
  LocalDirMetadata m{std::string(40, 'a'), std::string(64, 'b'), 1712656091.1972492};
  std::string text = FormatLocalDirMetadata(m);
  EXPECT_EQ(text, std::string(40, 'a') + "\n" + std::string(64, 'b') + "\n1712656091.1972492\n");
  auto back = ParseLocalDirMetadata(text);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->commit, m.commit);
  EXPECT_EQ(back->etag, m.etag);
  EXPECT_EQ(back->timestamp, m.timestamp);
  EXPECT_EQ(FormatLocalDirMetadata({"c", "e", 1712656091.0}), "c\ne\n1712656091.0\n");
}

TEST(LocalDirTest, MetadataWrittenByPython) {
  struct Case {
    const char* text;
    bool ok;
    const char* commit;
    const char* etag;
    double t;
  } cases[] = {
      // The docstring's example, and what time.time() writes.
      {"11c5a3d5811f50298f278a704980280950aedb10\na16a55fda99d2f2e7b69cce5cf93ff4ad3049930\n"
       "1712656091.123\n",
       true, "11c5a3d5811f50298f278a704980280950aedb10", "a16a55fda99d2f2e7b69cce5cf93ff4ad3049930",
       1712656091.123},
      {"c\ne\n1712656091\n", true, "c", "e", 1712656091},
      {"  c \r\n e\r\n 17.5 \r\n", true, "c", "e", 17.5},  // each line stripped
      {"c\ne\n17.5", true, "c", "e", 17.5},                // no final newline
      {"c\ne\n17.5\nextra\n", true, "c", "e", 17.5},       // later lines ignored
      {"\n\n3\n", true, "", "", 3},                        // Python accepts empty fields too
      {"c\ne\n", false, "", "", 0},                        // no timestamp
      {"c\ne\nsoon\n", false, "", "", 0},
      {"c\ne\n1.5x\n", false, "", "", 0},
      {"", false, "", "", 0},
  };
  for (const auto& c : cases) {
    auto m = ParseLocalDirMetadata(c.text);
    ASSERT_EQ(m.has_value(), c.ok) << c.text;
    if (!c.ok) continue;
    EXPECT_EQ(m->commit, c.commit);
    EXPECT_EQ(m->etag, c.etag);
    EXPECT_DOUBLE_EQ(m->timestamp, c.t);
  }
}

TEST(LocalDirTest, FreshnessAndSha256) {
  LocalDirMetadata m{"c", "e", 1000.0};
  EXPECT_TRUE(LocalDirMetadataIsFresh(m, 999.0));
  EXPECT_TRUE(LocalDirMetadataIsFresh(m, 1001.0));   // 1 s of slack
  EXPECT_FALSE(LocalDirMetadataIsFresh(m, 1001.5));  // modified after the download
  EXPECT_TRUE(IsSha256Hex(std::string(64, 'a')));
  EXPECT_FALSE(IsSha256Hex(std::string(40, 'a')));
  EXPECT_FALSE(IsSha256Hex(std::string(64, 'A')));
}

}  // namespace
}  // namespace spacehub::client::detail
