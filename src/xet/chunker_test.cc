// The chunker against the spec's byte-by-byte pseudocode (chunking.md), which the skip-ahead must
// not change, and against lengths computed independently from that pseudocode.
#include "xet/chunker.h"

#include <gtest/gtest.h>

#include <numeric>
#include <string>
#include <vector>

namespace spacehub::xet {
namespace {

// xorshift32 bytes: the same generator produced the expected lengths below.
std::string Pseudorandom(size_t n, uint32_t seed) {
  std::string s(n, '\0');
  uint32_t x = seed;
  for (char& c : s) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    c = static_cast<char>(x & 0xFF);
  }
  return s;
}

// Feeds `data` in pieces of `piece` bytes.
std::vector<size_t> SplitInPieces(std::string_view data, size_t piece) {
  Chunker chunker;
  std::vector<size_t> cuts;
  for (size_t off = 0; off < data.size(); off += piece) {
    chunker.Update(data.substr(off, piece), cuts);
  }
  if (const size_t last = chunker.Finish(); last > 0) cuts.push_back(last);
  return cuts;
}

size_t Sum(const std::vector<size_t>& v) { return std::accumulate(v.begin(), v.end(), size_t{0}); }

TEST(ChunkerTest, MatchesTheSpecPseudocode) {
  // 1 MiB of xorshift32(seed 12345), chunked by a plain transcription of the spec's pseudocode.
  const std::vector<size_t> expected = {34175, 73023, 12420,  129173, 113482, 27767, 19597, 8291,
                                        26402, 18933, 105628, 17397,  42662,  10436, 43458, 15592,
                                        18800, 17450, 9401,   85962,  131072, 52362, 35093};
  EXPECT_EQ(ChunkLengths(Pseudorandom(1 << 20, 12345)), expected);
}

TEST(ChunkerTest, BoundariesDoNotDependOnHowInputIsSplit) {
  const std::string bytes = Pseudorandom(3 << 20, 7);
  const std::string_view data = bytes;
  const std::vector<size_t> whole = ChunkLengths(data);
  ASSERT_GT(whole.size(), 20u);
  EXPECT_EQ(Sum(whole), data.size());
  for (size_t piece : {1, 63, 64, 65, 4096, 8127, 8128, 8191, 8192, 65536, 131071, 131073}) {
    // One byte at a time over 3 MiB is slow in debug builds; the first 600 KiB cover many cuts.
    const std::string_view part = piece == 1 ? data.substr(0, 600 << 10) : data;
    const std::vector<size_t> split = SplitInPieces(part, piece);
    if (piece == 1) {
      const std::vector<size_t> prefix = ChunkLengths(part);
      EXPECT_EQ(split, prefix);
    } else {
      EXPECT_EQ(split, whole) << "pieces of " << piece;
    }
  }
}

TEST(ChunkerTest, RespectsMinimumAndMaximum) {
  for (uint32_t seed : {1u, 2u, 3u, 4u}) {
    const std::vector<size_t> lengths = ChunkLengths(Pseudorandom(4 << 20, seed));
    for (size_t i = 0; i + 1 < lengths.size(); ++i) {
      EXPECT_GE(lengths[i], kMinChunk);
      EXPECT_LE(lengths[i], kMaxChunk);
    }
    EXPECT_LE(lengths.back(), kMaxChunk);
  }
}

TEST(ChunkerTest, NoCutInTheFirstBytesAfterASkip) {
  // The 18th table entry has its top 16 bits zero, so a gear hash reset to zero matches right
  // after hashing that byte. Placed where hashing resumes after the skip-ahead (offset 8127), it
  // must not cut: the chunk would be shorter than the minimum (older clients cut at 8128 here).
  std::string data = Pseudorandom(64 << 10, 99);
  for (size_t pos = kMinChunk - 65; pos < kMinChunk; ++pos) {
    std::string probe = data;
    probe[pos] = 17;
    const std::vector<size_t> lengths = ChunkLengths(probe);
    EXPECT_GE(lengths.front(), kMinChunk) << pos;
    EXPECT_EQ(SplitInPieces(probe, 1), lengths) << pos;
  }
}

TEST(ChunkerTest, TinyInputIsOneChunk) {
  EXPECT_TRUE(ChunkLengths("").empty());
  EXPECT_EQ(ChunkLengths("x"), std::vector<size_t>{1});
  EXPECT_EQ(ChunkLengths(Pseudorandom(5000, 5)), std::vector<size_t>{5000});
  EXPECT_EQ(ChunkLengths(Pseudorandom(kMinChunk, 5)), std::vector<size_t>{kMinChunk});
}

TEST(ChunkerTest, ZerosCutAtTheMaximum) {
  const std::string zeros(300 << 10, '\0');
  const std::vector<size_t> expected = {kMaxChunk, kMaxChunk, (300 << 10) - 2 * kMaxChunk};
  EXPECT_EQ(ChunkLengths(zeros), expected);
  EXPECT_EQ(SplitInPieces(zeros, 1000), expected);
  EXPECT_EQ(ChunkLengths(std::string(2 * kMaxChunk, '\0')),
            (std::vector<size_t>{kMaxChunk, kMaxChunk}));
}

TEST(ChunkerTest, FinishResetsForTheNextStream) {
  const std::string data = Pseudorandom(200 << 10, 11);
  Chunker chunker;
  std::vector<size_t> first;
  chunker.Update(data, first);
  first.push_back(chunker.Finish());
  EXPECT_EQ(chunker.Finish(), 0u);
  std::vector<size_t> second;
  chunker.Update(data, second);
  second.push_back(chunker.Finish());
  EXPECT_EQ(first, second);
  EXPECT_EQ(first, ChunkLengths(data));
}

}  // namespace
}  // namespace spacehub::xet
