#include "web/file_kinds.h"

#include <gtest/gtest.h>

#include <string>

namespace spacehub::web {
namespace {

TEST(HighlightLanguageTest, ByExtensionAndName) {
  EXPECT_EQ(HighlightLanguage("app.py"), "python");
  EXPECT_EQ(HighlightLanguage("src/App.TSX"), "typescript");
  EXPECT_EQ(HighlightLanguage("config.yml"), "yaml");
  EXPECT_EQ(HighlightLanguage("a/b/model.cc"), "cpp");
  EXPECT_EQ(HighlightLanguage("Dockerfile"), "bash");
  EXPECT_EQ(HighlightLanguage("sub/Makefile"), "makefile");
  EXPECT_EQ(HighlightLanguage("README.md"), "markdown");
}

TEST(HighlightLanguageTest, UnknownIsEmpty) {
  EXPECT_EQ(HighlightLanguage("weights.safetensors"), "");
  EXPECT_EQ(HighlightLanguage("LICENSE"), "");
  EXPECT_EQ(HighlightLanguage("trailing."), "");
  EXPECT_EQ(HighlightLanguage(""), "");
  // The folder's dots do not count.
  EXPECT_EQ(HighlightLanguage("v1.py/LICENSE"), "");
}

TEST(IsMarkdownPathTest, MdAndMarkdown) {
  EXPECT_TRUE(IsMarkdownPath("README.md"));
  EXPECT_TRUE(IsMarkdownPath("docs/Guide.MARKDOWN"));
  EXPECT_FALSE(IsMarkdownPath("notes.txt"));
  EXPECT_FALSE(IsMarkdownPath(".md"));
  EXPECT_FALSE(IsMarkdownPath("md"));
}

TEST(LooksBinaryTest, NulInTheFirst8000Bytes) {
  EXPECT_FALSE(LooksBinary("hello\n"));
  EXPECT_FALSE(LooksBinary(""));
  EXPECT_TRUE(LooksBinary(std::string("PK\0\3", 4)));
  std::string late(9000, 'a');
  late[8500] = '\0';
  EXPECT_FALSE(LooksBinary(late));
  late[7999] = '\0';
  EXPECT_TRUE(LooksBinary(late));
}

}  // namespace
}  // namespace spacehub::web
