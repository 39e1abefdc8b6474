#include "repo/pipelined_file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <tuple>

#include "core/crypto.h"
#include "repo/test_util.h"

namespace spacehub::repo {
namespace {

// Parameters: O_DIRECT, and whether the file is hashed (xorbs are not).
class PipelinedFileTest : public testing::TempDirTest,
                          public ::testing::WithParamInterface<std::tuple<bool, bool>> {
 protected:
  bool Hashing() const { return std::get<1>(GetParam()); }
  // What RoundTrip returns for `data`.
  std::string Expected(const std::string& data) const {
    return Hashing() ? Sha256Hex(data) : std::string();
  }
  // Writes `data` in pieces of `piece` bytes; returns the hash, checks the file's bytes.
  std::string RoundTrip(const std::string& data, size_t piece) {
    auto path = dir_ / "out.bin";
    std::filesystem::remove(path);
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    EXPECT_GE(fd, 0);
    std::string sha;
    {
      PipelinedFile f(fd, path.string(), {.direct = std::get<0>(GetParam()), .sha256 = Hashing()});
      for (size_t at = 0; at < data.size(); at += piece) {
        EXPECT_TRUE(f.Append(std::string_view(data).substr(at, piece)).ok());
      }
      auto r = f.Finish();
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      if (r.ok()) sha = *r;
    }
    ::close(fd);
    std::ifstream in(path, std::ios::binary);
    std::stringstream got;
    got << in.rdbuf();
    EXPECT_EQ(got.str().size(), data.size());
    EXPECT_TRUE(got.str() == data);
    return sha;
  }
};

std::string Pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + i / 4096) & 0xff);
  return s;
}

TEST_P(PipelinedFileTest, EverySizeAroundBlockAndAlignmentEdges) {
  constexpr size_t kB = PipelinedFile::kBlockBytes;
  for (size_t n : {size_t{0}, size_t{1}, size_t{4095}, size_t{4096}, size_t{4097}, kB - 1, kB,
                   kB + 1, kB * PipelinedFile::kBlocks + 12345, kB * 9}) {
    std::string data = Pattern(n);
    EXPECT_EQ(RoundTrip(data, 256 * 1024 + 7), Expected(data)) << n;
  }
}

TEST_P(PipelinedFileTest, PiecesLargerThanABlock) {
  std::string data = Pattern(PipelinedFile::kBlockBytes * 6 + 999);
  EXPECT_EQ(RoundTrip(data, PipelinedFile::kBlockBytes * 3 + 5), Expected(data));
}

INSTANTIATE_TEST_SUITE_P(DirectAndBufferedWithAndWithoutHash, PipelinedFileTest,
                         ::testing::Combine(::testing::Bool(), ::testing::Bool()));

// A write error (here: a descriptor open for reading only) reaches the caller instead of a hash.
TEST(PipelinedFileErrorTest, WriteErrorIsReported) {
  int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  {
    PipelinedFile f(fd, "/dev/null", {.direct = false});
    std::string data = Pattern(PipelinedFile::kBlockBytes * 2);
    bool append_failed = false;
    for (int i = 0; i < 8 && !append_failed; ++i) append_failed = !f.Append(data).ok();
    auto r = f.Finish();
    EXPECT_FALSE(r.ok());
  }
  ::close(fd);
}

}  // namespace
}  // namespace spacehub::repo
