// ParseNextLink against the Link header shapes the Hub and other servers send.
#include "client/paging.h"

#include <gtest/gtest.h>

namespace spacehub::client::detail {
namespace {

TEST(PagingTest, NextLink) {
  struct Case {
    const char* header;
    const char* next;
  } cases[] = {
      {"", ""},
      {"<http://h/api/models?cursor=2>; rel=\"next\"", "http://h/api/models?cursor=2"},
      {"<http://h/a?p=1>; rel=next", "http://h/a?p=1"},
      {"<http://h/prev>; rel=\"prev\", <http://h/next>; rel=\"next\"", "http://h/next"},
      {"<http://h/n>; title=\"a, b\"; rel=\"next\"", "http://h/n"},
      {"<http://h/n>; REL=\"last next\"", "http://h/n"},
      {"<http://h/first>; rel=\"first\"", ""},
      {"<http://h/broken; rel=\"next\"", ""},
      {"  <http://h/x?a=1&b=2>  ;  rel = \"next\" ", "http://h/x?a=1&b=2"},
  };
  for (const auto& c : cases) EXPECT_EQ(ParseNextLink(c.header), c.next) << c.header;
}

}  // namespace
}  // namespace spacehub::client::detail
