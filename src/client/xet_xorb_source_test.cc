#include "client/xet_xorb_source.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "client/xet_chunks.h"
#include "spacehub/errors.h"
#include "xet/xorb_format.h"

namespace spacehub::client::detail {
namespace {

std::string Pattern(size_t n) {
  std::string s(n, '\0');
  uint32_t x = 12345;
  for (auto& c : s) {
    x = x * 1103515245 + 12345;
    c = static_cast<char>(x >> 16);
  }
  return s;
}

// Every other chunk of the content goes into the xorb (a xorb after dedup need not be
// contiguous in the file).
NewXorb EveryOther(const std::vector<FileChunk>& chunks) {
  NewXorb x;
  for (size_t i = 0; i < chunks.size(); i += 2) x.chunks.push_back(i);
  return x;
}

std::string Expected(const std::string& content, const std::vector<FileChunk>& chunks,
                     const NewXorb& x) {
  std::vector<std::string_view> views;
  for (size_t i : x.chunks) {
    views.emplace_back(std::string_view(content).substr(chunks[i].offset, chunks[i].length));
  }
  return xet::BuildXorb(views, /*compress=*/false);
}

// The whole body, asked for `step` bytes at a time.
std::string Drain(const RawXorbSource& source, size_t step) {
  std::string out;
  std::vector<char> buf(step);
  while (out.size() < source.size()) {
    size_t n = source.Fill(buf.data(), step, out.size());
    if (n == 0) return out + "<failed>";
    out.append(buf.data(), n);
  }
  return out;
}

TEST(RawXorbSourceTest, SameBytesAsABuiltXorbForEveryReadSize) {
  const std::string content = Pattern(600 << 10);
  const std::vector<FileChunk> chunks = ChunkBytes(content);
  ASSERT_GT(chunks.size(), 4u);
  const NewXorb x = EveryOther(chunks);
  XetUploadFile f{.local_path = "", .content = &content, .sha256 = "", .chunks = &chunks};
  RawXorbSource source(f, x);
  const std::string want = Expected(content, chunks, x);
  ASSERT_EQ(source.size(), want.size());
  // Sizes that end inside a header, on its last byte, and across several chunks.
  for (size_t step : {1u, 3u, 7u, 8u, 9u, 4096u, 65537u, 1u << 20}) {
    EXPECT_TRUE(Drain(source, step) == want) << step;
  }
  EXPECT_TRUE(xet::ParseXorb(want).ok());
}

TEST(RawXorbSourceTest, ReadsFromTheFileAndFailsWhenItShrank) {
  const std::string content = Pattern(300 << 10);
  const std::vector<FileChunk> chunks = ChunkBytes(content);
  char path[] = "/tmp/xorb-source-XXXXXX";
  int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ::close(fd);
  std::ofstream(path, std::ios::binary) << content;
  NewXorb x;
  for (size_t i = 0; i < chunks.size(); ++i) x.chunks.push_back(i);
  XetUploadFile f{.local_path = path, .content = nullptr, .sha256 = "", .chunks = &chunks};
  {
    RawXorbSource source(f, x);
    EXPECT_TRUE(Drain(source, 10000) == Expected(content, chunks, x));
    ASSERT_EQ(::truncate(path, 1000), 0);
    std::vector<char> buf(4096);
    EXPECT_EQ(source.Fill(buf.data(), buf.size(), source.size() - 4096), 0u);
  }
  ::unlink(path);
  XetUploadFile missing{.local_path = "/nonexistent/x", .chunks = &chunks};
  EXPECT_THROW(RawXorbSource(missing, x), LocalError);
}

}  // namespace
}  // namespace spacehub::client::detail
