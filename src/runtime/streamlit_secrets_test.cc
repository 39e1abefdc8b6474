#include "runtime/streamlit_secrets.h"

#include <gtest/gtest.h>

namespace spacehub::runtime {
namespace {

TEST(StreamlitSecretsTest, OneEscapedLinePerSecret) {
  EXPECT_EQ(StreamlitSecretsToml({}), "");
  EXPECT_EQ(StreamlitSecretsToml({{"API_KEY", "abc"}, {"B", "say \"hi\"\\\n\x01"}}),
            "API_KEY = \"abc\"\nB = \"say \\\"hi\\\"\\\\\\n\\u0001\"\n");
  EXPECT_EQ(StreamlitSecretsToml({{"a.b", "x"}}), "\"a.b\" = \"x\"\n");
}

}  // namespace
}  // namespace spacehub::runtime
