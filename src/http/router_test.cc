// Table-driven tests for route matching: decoding, {name*}, HEAD -> GET, 405.
#include "http/router.h"

#include <gtest/gtest.h>

namespace spacehub::http {
namespace {

Handler Named(std::string name) {
  return [name](Request&) { return Response::Text(name); };
}

class RouterTest : public ::testing::Test {
 protected:
  RouterTest() {
    router_.Add(Method::kGet, "/api/models/{ns}/{name}", Named("info"));
    router_.Add(Method::kGet, "/api/models/{ns}/{name}/revision/{rev}", Named("revision"));
    router_.Add(Method::kGet, "/{ns}/{name}/resolve/{rev}/{path*}", Named("resolve"));
    router_.Add(Method::kHead, "/special/{x}", Named("head-special"));
    router_.Add(Method::kGet, "/special/{x}", Named("get-special"));
    router_.Add(Method::kPost, "/api/repos/create", Named("create"));
    router_.Add(Method::kGet, "/api/first/{x}", Named("first"));
    router_.Add(Method::kGet, "/api/first/literal", Named("second"));
    router_.AddStreaming(
        Method::kPut, "/upload/{oid}",
        [](Request&) -> Result<std::unique_ptr<BodySink>> { return Status::Internal("unused"); });
  }
  Router router_;
};

TEST_F(RouterTest, Table) {
  struct Case {
    Method method;
    std::string path;
    std::string want;  // handler name, "405" or "404"
    std::vector<std::pair<std::string, std::string>> params;
  };
  const Case cases[] = {
      {Method::kGet, "/api/models/u/m", "info", {{"ns", "u"}, {"name", "m"}}},
      {Method::kGet, "/api/models/u%20x/m", "info", {{"ns", "u x"}, {"name", "m"}}},
      {Method::kGet,
       "/api/models/u/m/revision/refs%2Fpr%2F1",
       "revision",
       {{"ns", "u"}, {"name", "m"}, {"rev", "refs/pr/1"}}},
      {Method::kGet, "/api/models/u", "404", {}},
      {Method::kGet, "/api/models/u/m/extra", "404", {}},
      {Method::kGet, "/api/models//m", "404", {}},
      {Method::kGet, "/api/models/u/m%zz", "404", {}},
      {Method::kGet,
       "/u/m/resolve/main/dir/sub/file%20a.txt",
       "resolve",
       {{"ns", "u"}, {"name", "m"}, {"rev", "main"}, {"path", "dir/sub/file a.txt"}}},
      {Method::kGet,
       "/u/m/resolve/main/a.txt",
       "resolve",
       {{"ns", "u"}, {"name", "m"}, {"rev", "main"}, {"path", "a.txt"}}},
      {Method::kGet, "/u/m/resolve/main", "404", {}},
      {Method::kHead, "/api/models/u/m", "info", {{"ns", "u"}, {"name", "m"}}},
      {Method::kHead, "/special/1", "head-special", {{"x", "1"}}},
      {Method::kGet, "/special/1", "get-special", {{"x", "1"}}},
      {Method::kDelete, "/api/models/u/m", "405", {}},
      {Method::kGet, "/api/repos/create", "405", {}},
      {Method::kPost, "/api/repos/create", "create", {}},
      {Method::kGet, "/api/first/literal", "first", {{"x", "literal"}}},
      {Method::kGet, "/nope", "404", {}},
      {Method::kGet, "", "404", {}},
  };
  for (const Case& c : cases) {
    Request req;
    req.method = c.method;
    req.path = c.path;
    Router::Match m = router_.Find(req);
    std::string got;
    if (m.route) {
      got = Router::Invoke(*m.route, req).body;
    } else {
      got = m.method_mismatch ? "405" : "404";
    }
    EXPECT_EQ(got, c.want) << MethodName(c.method) << " " << c.path;
    if (m.route) {
      EXPECT_EQ(req.params, c.params) << c.path;
    }
  }
}

TEST_F(RouterTest, StreamingRoutes) {
  Request req;
  req.method = Method::kPut;
  req.path = "/upload/abc";
  Router::Match m = router_.Find(req);
  ASSERT_NE(m.route, nullptr);
  EXPECT_TRUE(Router::IsStreaming(*m.route));
  EXPECT_EQ(req.Param("oid"), "abc");
  EXPECT_FALSE(Router::InvokeStreaming(*m.route, req).ok());

  req.method = Method::kGet;
  req.path = "/api/models/a/b";
  m = router_.Find(req);
  ASSERT_NE(m.route, nullptr);
  EXPECT_FALSE(Router::IsStreaming(*m.route));
}

TEST_F(RouterTest, BodyRulesDefaultToCallersOnlyForWrites) {
  router_.Add(Method::kPost, "/api/public-read", Named("public"), BodyRules::Anonymous());
  router_.Add(Method::kPost, "/api/commit", Named("commit"), BodyRules::Large());
  auto rules = [&](Method m, std::string path) {
    Request req;
    req.method = m;
    req.path = std::move(path);
    Router::Match match = router_.Find(req);
    EXPECT_NE(match.route, nullptr) << req.path;
    return Router::Rules(*match.route);
  };
  EXPECT_TRUE(rules(Method::kGet, "/api/models/a/b").anonymous);
  EXPECT_FALSE(rules(Method::kPost, "/api/repos/create").anonymous);
  EXPECT_FALSE(rules(Method::kPost, "/api/repos/create").large);
  EXPECT_TRUE(rules(Method::kPost, "/api/public-read").anonymous);
  EXPECT_TRUE(rules(Method::kPost, "/api/commit").large);
  EXPECT_FALSE(rules(Method::kPost, "/api/commit").anonymous);
  // Without a check every request passes it (handlers still authenticate).
  EXPECT_TRUE(router_.CheckCredentials(Request{}).ok());
  router_.SetCredentialCheck([](const Request&) { return Status::Unauthenticated("no"); });
  EXPECT_EQ(router_.CheckCredentials(Request{}).code(), Code::kUnauthenticated);
}

}  // namespace
}  // namespace spacehub::http
