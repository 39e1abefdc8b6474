// Tests for the commit NDJSON body (spec §5.4).
#include "client/ndjson.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "client/hashing.h"

namespace spacehub::client::detail {
namespace {

std::vector<nlohmann::json> Lines(const std::string& body) {
  EXPECT_FALSE(body.empty());
  EXPECT_EQ(body.back(), '\n');
  std::vector<nlohmann::json> out;
  std::stringstream in(body);
  std::string line;
  while (std::getline(in, line)) out.push_back(nlohmann::json::parse(line));
  return out;
}

TEST(NdjsonTest, HeaderAndEveryOperationKind) {
  std::vector<NdjsonOp> ops(4);
  ops[0].kind = NdjsonOp::Kind::kFile;
  ops[0].path = "app.py";
  ops[0].content_base64 = Base64("print(1)\n");
  ops[1].kind = NdjsonOp::Kind::kLfsFile;
  ops[1].path = "w.bin";
  ops[1].sha256 = std::string(64, 'f');
  ops[1].size = 12345678901;
  ops[2].kind = NdjsonOp::Kind::kDeletedFile;
  ops[2].path = "old.txt";
  ops[3].kind = NdjsonOp::Kind::kDeletedFolder;
  ops[3].path = "dir/";
  auto lines = Lines(BuildCommitNdjson("Add", "", "", ops));
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0], nlohmann::json::parse(
                          R"({"key":"header","value":{"summary":"Add","description":""}})"));
  EXPECT_EQ(lines[1]["key"], "file");
  EXPECT_EQ(lines[1]["value"]["content"], "cHJpbnQoMSkK");
  EXPECT_EQ(lines[1]["value"]["encoding"], "base64");
  EXPECT_EQ(lines[2]["key"], "lfsFile");
  EXPECT_EQ(lines[2]["value"]["algo"], "sha256");
  EXPECT_EQ(lines[2]["value"]["size"], 12345678901);
  EXPECT_EQ(lines[3], nlohmann::json::parse(R"({"key":"deletedFile","value":{"path":"old.txt"}})"));
  EXPECT_EQ(lines[4]["key"], "deletedFolder");
}

TEST(NdjsonTest, ParentCommitOnlyWhenGiven) {
  auto lines = Lines(BuildCommitNdjson("m", "d", std::string(40, 'a'), {}));
  EXPECT_EQ(lines[0]["value"]["parentCommit"], std::string(40, 'a'));
  EXPECT_EQ(lines[0]["value"]["description"], "d");
  EXPECT_FALSE(Lines(BuildCommitNdjson("m", "", "", {}))[0]["value"].contains("parentCommit"));
}

TEST(HashingTest, GitBlobAndSha256) {
  FileDigest d = DigestBytes("hello\n");
  EXPECT_EQ(d.git_sha1, "ce013625030ba8dba906f756967f9e9ca394464a");  // git hash-object
  EXPECT_EQ(d.sha256, "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03");
  EXPECT_EQ(d.size, 6u);
  EXPECT_EQ(Base64(""), "");
  EXPECT_EQ(Base64("ab"), "YWI=");
}

}  // namespace
}  // namespace spacehub::client::detail
