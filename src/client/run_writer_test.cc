#include "client/run_writer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace spacehub::client::detail {
namespace {

std::string Pattern(size_t n, uint32_t seed) {
  std::string s(n, '\0');
  for (auto& c : s) {
    seed = seed * 1664525u + 1013904223u;
    c = static_cast<char>(seed >> 24);
  }
  return s;
}

std::string TempPath() {
  char path[] = "/tmp/run-writer-XXXXXX";
  int fd = ::mkstemp(path);
  EXPECT_GE(fd, 0);
  ::close(fd);
  return path;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs that start and end inside pages, on page boundaries, and span several blocks; written by
// one writer each on their own threads, fed in uneven pieces. The file is the runs, in order.
TEST(RunWriterTest, DisjointRunsFromThreadsMakeTheFile) {
  const size_t total = RunWriter::kBlockBytes * 2 + 3 * 4096 + 777;
  const std::string data = Pattern(total, 7);
  // Cut points: unaligned, aligned, 1 byte after a page, and past a whole block.
  const std::vector<size_t> cuts = {
      0, 1, 4095, 4096, 12289, RunWriter::kBlockBytes + 5000, RunWriter::kBlockBytes + 8192, total};
  const std::string path = TempPath();
  {
    OutputFile out(path);
    std::vector<std::thread> threads;
    std::vector<std::string> errors(cuts.size() - 1);
    for (size_t r = 0; r + 1 < cuts.size(); ++r) {
      threads.emplace_back([&, r] {
        RunWriter w(out, cuts[r]);
        std::string_view run = std::string_view(data).substr(cuts[r], cuts[r + 1] - cuts[r]);
        for (size_t at = 0, step = 1; at < run.size() && errors[r].empty(); at += step, step *= 3) {
          errors[r] = w.Append(run.substr(at, step));
        }
        if (errors[r].empty()) errors[r] = w.Finish();
      });
    }
    for (auto& t : threads) t.join();
    for (const auto& e : errors) EXPECT_EQ(e, "");
    EXPECT_TRUE(out.Close());
  }
  EXPECT_TRUE(ReadFile(path) == data);
  ::unlink(path.c_str());
}

// Without O_DIRECT (refused, as on tmpfs before Linux 6.6) the same bytes go through the cache.
TEST(RunWriterTest, WithoutDirectWrites) {
  const std::string data = Pattern(RunWriter::kBlockBytes + 10000, 3);
  const std::string path = TempPath();
  {
    OutputFile out(path);
    out.DropDirect();
    RunWriter w(out, 0);
    EXPECT_EQ(w.Append(data), "");
    EXPECT_EQ(w.Finish(), "");
  }
  EXPECT_TRUE(ReadFile(path) == data);
  ::unlink(path.c_str());
}

TEST(RunWriterTest, AnUnwritableFileIsAnError) {
  EXPECT_ANY_THROW(OutputFile("/nonexistent/dir/file"));
}

}  // namespace
}  // namespace spacehub::client::detail
