// The Xet hashes against answers from the reference client (@huggingface/xetchunk-wasm 0.2, a port
// of xet-core's merklehash): chunk i is the bytes "chunk <i>" with a claimed length of i*1000+1.
#include "xet/xet_hash.h"

#include <gtest/gtest.h>

#include <cctype>
#include <string>
#include <vector>

namespace spacehub::xet {
namespace {

struct Expected {
  size_t chunks;
  const char* xorb_hash;
  const char* file_hash;
  const char* verification_hash;
};

const Expected kExpected[] = {
    {1, "51ecf3cc6134bc64b40b6bafc1d77b28fb53fec6754c7ff546d694bc8b7ac5d3",
     "ccea3af1b8f604220010b23bad003ee8671f648ecc4ddc1be55ff0289a8c77c7",
     "01c0de8630da9cfb87c90577ceb22027697b2e212999ad52057db7b7850ae42f"},
    {2, "84b97e4f3772a3af87de50a18bf5ee1285ec8834d2f85b107666250ee52fd52b",
     "867354d701c0a98be4e4f25f413f3f4e8f22dbed439e7e7d9a2954def0c6ae91",
     "6e25d8767a7b13e139f307ef48f0b040aa03e62efcb3055010d47330007a6270"},
    {3, "6ded3c1ed9717c062a18f1edd689403129acb06d0e381d1f0296fc9a38981434",
     "7e317e7c1b9e41c0af7ed67fc718e6842864330e622ec6396210b9bf829142af",
     "981debcaa8af7da2ffff942ea7fd8236e7c30b83f5a5ffbddd93e259545111fa"},
    {4, "d16af652c59f3bcd8a36ccabf25b33720f29766d1372d4981b6d2b7dd1fd97b6",
     "24413b9a92795affa796dd1b22e4f8b0bdd4fd77c34a9a5c193b76e5085c2240",
     "463ff893bbb9b59c86a375e2c16a96148c3f675f15957c2ea411b8d5b31495d9"},
    {9, "3f8f991d5e016a38aca0b6a6624788b9cb428c1473c8d7a614b2a3c9e6492b4a",
     "db3eb1a4fc4c556fb3224ffc4df2e59f8da4adbfd84ae35de2414d4199806a23",
     "20b895e44ae5083b5055f828689ca2ba4627e30ce47171cfa3c8845d97e6e212"},
    {10, "2ff6dbe8e4131c0cf8089a70a8b8adbed7faa56bc280824b7da523724ff99cc9",
     "d27f853ef60151cc6decd529c9ab0fc893a81facd283e4a793492406be6c3f39",
     "6f32a4d2a488fcaa39d54a69a0bb3cd52fb69aef42a14d99fa4c3e85dbbb4e73"},
    {37, "c4dd75973cc1ca137de3d96ccbf89a90b71f5cee0dc2595810f04e2c46e448ff",
     "cdf8f893bf6fa5f343cb0271e8c0fa80a6659a492c0e2270daf3a7bdb4e146d0",
     "2eb2283b9d77bd4371409494304c2736ba62776a63ae47e26f2719886b07065c"},
    {100, "27ae84682393378b86028c47aa7841873794eebc2c459c2e756e612b6d230c5d",
     "6ac9ad7340d1c319fab8111f503472e36e5d81fc751cd677471e4b156cd9bf3a",
     "8a3dd88403f63b19b2d7647afe71d1c226781352684c90bae384544add1276f9"},
    {1000, "82cfa659a6e93119739e2444ed9c79e19099834cde03fe618db9481041b9593b",
     "e282233be9bcd8e20999331043e639dac40661399fe47990b15a75db95cbcc58",
     "04c11dcd51878fe70de1354151a8d943dd9e8a00ccf2a1512e782b2146221cf2"},
};

std::vector<ChunkRef> Chunks(size_t n) {
  std::vector<ChunkRef> chunks;
  for (size_t i = 0; i < n; ++i) {
    chunks.push_back({ChunkHash("chunk " + std::to_string(i)), i * 1000 + 1});
  }
  return chunks;
}

TEST(XetHashTest, HexReversesEachWord) {
  XetHash hash;
  for (size_t i = 0; i < 32; ++i) hash.bytes[i] = static_cast<uint8_t>(i);
  const std::string hex = "07060504030201000f0e0d0c0b0a090817161514131211101f1e1d1c1b1a1918";
  EXPECT_EQ(hash.ToHex(), hex);
  EXPECT_EQ(XetHash::FromHex(hex), hash);
  std::string upper = hex;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(XetHash::FromHex(upper), hash);
}

TEST(XetHashTest, FromHexRejectsMalformed) {
  const std::string good(64, 'a');
  EXPECT_TRUE(XetHash::FromHex(good).has_value());
  EXPECT_FALSE(XetHash::FromHex("").has_value());
  EXPECT_FALSE(XetHash::FromHex(good.substr(1)).has_value());
  EXPECT_FALSE(XetHash::FromHex(good + "a").has_value());
  for (const char bad : {'g', ' ', '-', '\0', 'x'}) {
    std::string s = good;
    s[17] = bad;
    EXPECT_FALSE(XetHash::FromHex(s).has_value()) << static_cast<int>(bad);
  }
}

TEST(XetHashTest, ModUsesTheLastWordLittleEndian) {
  XetHash hash;
  hash.bytes[24] = 7;  // low byte of the last word
  hash.bytes[31] = 1;  // its high byte: 2^56 + 7
  EXPECT_EQ(hash.Mod(4), 3u);
  EXPECT_EQ(hash.Mod(1000), ((uint64_t{1} << 56) + 7) % 1000);
  hash.bytes[0] = 0xFF;  // other words do not count
  EXPECT_EQ(hash.Mod(4), 3u);
  EXPECT_FALSE(hash.IsZero());
  EXPECT_TRUE(XetHash{}.IsZero());
}

TEST(XetHashTest, MatchesTheReferenceClient) {
  EXPECT_EQ(ChunkHash("chunk 0").ToHex(),
            "51ecf3cc6134bc64b40b6bafc1d77b28fb53fec6754c7ff546d694bc8b7ac5d3");
  for (const Expected& e : kExpected) {
    const std::vector<ChunkRef> chunks = Chunks(e.chunks);
    std::vector<XetHash> hashes;
    hashes.reserve(chunks.size());
    for (const ChunkRef& c : chunks) hashes.push_back(c.hash);
    EXPECT_EQ(XorbHash(chunks).ToHex(), e.xorb_hash) << e.chunks;
    EXPECT_EQ(FileHash(chunks).ToHex(), e.file_hash) << e.chunks;
    EXPECT_EQ(VerificationHash(hashes).ToHex(), e.verification_hash) << e.chunks;
  }
}

TEST(XetHashTest, EmptyInputsGiveTheZeroHash) {
  EXPECT_TRUE(XorbHash({}).IsZero());
  EXPECT_TRUE(FileHash({}).IsZero());
  // An empty verification range still hashes (the empty string under its key).
  EXPECT_FALSE(VerificationHash({}).IsZero());
}

TEST(XetHashTest, FileHashIsTheXorbHashUnderTheZeroKey) {
  const std::vector<ChunkRef> chunks = Chunks(12);
  EXPECT_EQ(FileHash(chunks), Hmac(XorbHash(chunks), XetHash{}));
  EXPECT_NE(Hmac(XorbHash(chunks), ChunkHash("key")), FileHash(chunks));
}

}  // namespace
}  // namespace spacehub::xet
