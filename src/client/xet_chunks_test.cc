#include "client/xet_chunks.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "spacehub/errors.h"

namespace spacehub::client::detail {
namespace {

std::string Pattern(size_t n) {
  std::string s(n, '\0');
  uint64_t x = 88172645463325252ull;
  for (auto& c : s) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    c = static_cast<char>(x);
  }
  return s;
}

// A file read in 8 MiB blocks gives the same chunks as the in-memory pass: chunks that span
// blocks, and both ends.
TEST(XetChunksTest, FileMatchesBytesAcrossReadBlocks) {
  for (size_t size :
       {size_t{0}, size_t{1}, size_t{100000}, size_t{(8u << 20) + 1}, size_t{21u << 20}}) {
    const std::string data = Pattern(size);
    char path[] = "/tmp/xet-chunks-XXXXXX";
    int fd = ::mkstemp(path);
    ASSERT_GE(fd, 0);
    ::close(fd);
    std::ofstream(path, std::ios::binary) << data;
    std::vector<FileChunk> from_file = ChunkFile(path);
    ::unlink(path);
    std::vector<FileChunk> from_bytes = ChunkBytes(data);
    ASSERT_EQ(from_file.size(), from_bytes.size()) << size;
    for (size_t i = 0; i < from_file.size(); ++i) {
      EXPECT_EQ(from_file[i].offset, from_bytes[i].offset);
      EXPECT_EQ(from_file[i].length, from_bytes[i].length);
      EXPECT_TRUE(from_file[i].hash == from_bytes[i].hash) << size << " chunk " << i;
    }
  }
}

TEST(XetChunksTest, UnreadableFileIsALocalError) {
  EXPECT_THROW(ChunkFile("/nonexistent/file"), LocalError);
  EXPECT_THROW(ChunkFile("/"), LocalError);  // a directory: read fails with EISDIR
}

}  // namespace
}  // namespace spacehub::client::detail
