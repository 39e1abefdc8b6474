#include "service/front_matter.h"

#include <gtest/gtest.h>

namespace spacehub::service {
namespace {

TEST(FrontMatterTest, ExtractsAndTypesValues) {
  auto j = ParseFrontMatter(
      "---\ntitle: Demo\nsdk: gradio\napp_port: 7860\npinned: false\n"
      "tags:\n  - a\n  - b\nversion: \"1.0\"\n---\n# Body\n");
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  EXPECT_EQ((*j)["title"], "Demo");
  EXPECT_EQ((*j)["app_port"], 7860);
  EXPECT_EQ((*j)["pinned"], false);
  EXPECT_EQ((*j)["tags"].size(), 2u);
  EXPECT_EQ((*j)["version"], "1.0");
}

TEST(FrontMatterTest, NoFrontMatterIsNull) {
  for (const char* text : {"# Title\n", "", "---\nunterminated: yes\n", "text\n---\na: 1\n---\n"}) {
    auto j = ParseFrontMatter(text);
    ASSERT_TRUE(j.ok()) << text;
    EXPECT_TRUE(j->is_null()) << text;
  }
}

TEST(FrontMatterTest, CrLfAndBom) {
  auto j = ParseFrontMatter("\xEF\xBB\xBF---\r\nsdk: static\r\n---\r\n");
  ASSERT_TRUE(j.ok());
  EXPECT_EQ((*j)["sdk"], "static");
}

TEST(FrontMatterTest, InvalidYamlIsAnError) {
  auto bad = ParseFrontMatter("---\nkey: [unclosed\n---\n");
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
  auto list = ParseFrontMatter("---\n- a\n- b\n---\n");
  EXPECT_EQ(list.status().code(), Code::kInvalidArgument);
}

// Found by fuzz/front_matter: 460 bytes of nested aliases expanded to 10^8 values (the hub hung on
// any read of that repo's info). Aliases still work; an expansion past the budget is an error.
TEST(FrontMatterTest, AliasExpansionIsBounded) {
  auto ok = ParseFrontMatter("---\na: &x [1, 2]\nb: *x\n---\n");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ((*ok)["b"], nlohmann::json::array({1, 2}));

  std::string laughs = "---\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 8; ++i) {
    laughs += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int j = 0; j < 10; ++j) laughs += (j ? ", *a" : "*a") + std::to_string(i - 1);
    laughs += "]\n";
  }
  laughs += "---\n";
  ASSERT_LT(laughs.size(), 1000u);
  auto bad = ParseFrontMatter(laughs);
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
}

// Found by fuzz/front_matter: an alias inside its own anchor is a cycle; converting it recursed
// until the stack overflowed, which kills the hub. Nesting stays allowed to a sane depth.
TEST(FrontMatterTest, RecursiveAliasIsAnErrorNotACrash) {
  for (const char* cyclic : {"---\na: &x [1, *x]\n---\n", "---\na: &x {b: *x}\n---\n"}) {
    auto bad = ParseFrontMatter(cyclic);
    EXPECT_EQ(bad.status().code(), Code::kInvalidArgument) << cyclic;
  }
  std::string deep = "---\na: ";
  for (int i = 0; i < 20; ++i) deep += "[";
  for (int i = 0; i < 20; ++i) deep += "]";
  EXPECT_TRUE(ParseFrontMatter(deep + "\n---\n").ok());
}

}  // namespace
}  // namespace spacehub::service
