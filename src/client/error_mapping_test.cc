// Tests for the HTTP answer → typed error mapping (spec §0.3).
#include "client/error_mapping.h"

#include <gtest/gtest.h>

#include "spacehub/errors.h"

namespace spacehub::client::detail {
namespace {

HttpResponse Answer(int status, std::string code, std::string body = "",
                    std::string message_header = "") {
  HttpResponse r;
  r.status = status;
  r.url = "http://h/api/models/u/m";
  if (!code.empty()) r.headers["x-error-code"] = code;
  if (!message_header.empty()) r.headers["x-error-message"] = message_header;
  r.headers["x-request-id"] = "rid-1";
  r.body = std::move(body);
  return r;
}

TEST(ErrorMappingTest, KindsInPythonOrder) {
  struct Case {
    int status;
    const char* code;
    ErrorKind kind;
  } cases[] = {
      {404, "RevisionNotFound", ErrorKind::kRevisionNotFound},
      {404, "EntryNotFound", ErrorKind::kEntryNotFound},
      {403, "GatedRepo", ErrorKind::kGatedRepo},
      {404, "RepoNotFound", ErrorKind::kRepositoryNotFound},
      {401, "RepoNotFound", ErrorKind::kRepositoryNotFound},
      {400, "", ErrorKind::kBadRequest},
      {400, "EntryNotFound", ErrorKind::kEntryNotFound},
      {403, "", ErrorKind::kHttp},
      {404, "", ErrorKind::kHttp},
      {500, "", ErrorKind::kHttp},
  };
  for (const auto& c : cases) {
    try {
      RaiseForStatus(Answer(c.status, c.code));
      ADD_FAILURE() << "no throw for " << c.status;
    } catch (const HttpError& e) {
      EXPECT_EQ(e.kind(), c.kind) << c.status << " " << c.code;
      EXPECT_EQ(e.status(), c.status);
      EXPECT_EQ(e.request_id(), "rid-1");
    }
  }
  EXPECT_NO_THROW(RaiseForStatus(Answer(200, "")));
  EXPECT_NO_THROW(RaiseForStatus(Answer(302, "")));
}

TEST(ErrorMappingTest, TypeHierarchy) {
  EXPECT_THROW(RaiseForStatus(Answer(403, "GatedRepo")), RepositoryNotFound);
  EXPECT_THROW(RaiseForStatus(Answer(404, "RepoNotFound")), HttpError);
  EXPECT_THROW(RaiseForStatus(Answer(400, "")), BadRequest);
  EXPECT_THROW(RaiseForStatus(Answer(404, "EntryNotFound")), HubError);
}

TEST(ErrorMappingTest, Messages) {
  EXPECT_EQ(ServerMessage(Answer(400, "", R"({"error":"bad name"})")), "bad name");
  EXPECT_EQ(ServerMessage(Answer(400, "", R"({"error":["a","b"]})")), "a\nb");
  EXPECT_EQ(ServerMessage(Answer(400, "", R"({"error":"body"})", "header wins")), "header wins");
  EXPECT_EQ(ServerMessage(Answer(500, "", "plain text\n")), "plain text");
  HttpResponse html = Answer(502, "", "<html>x</html>");
  html.headers["content-type"] = "text/html";
  EXPECT_EQ(ServerMessage(html), "");
  try {
    RaiseForStatus(Answer(404, "RepoNotFound", R"({"error":"Repository not found"})"));
  } catch (const HttpError& e) {
    EXPECT_EQ(e.server_message(), "Repository not found");
    EXPECT_NE(std::string(e.what()).find("Request ID: rid-1"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("404"), std::string::npos);
  }
}

TEST(ErrorMappingTest, A429NamesTheRateLimit) {
  HttpResponse r = Answer(429, "", R"({"error":"slow down"})");
  r.headers["ratelimit"] = R"("api";r=0;t=55)";
  r.headers["ratelimit-policy"] = R"("fixed window";"api";q=500;w=300)";
  try {
    RaiseForStatus(r);
    ADD_FAILURE() << "no throw";
  } catch (const HttpError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kHttp);
    EXPECT_EQ(e.server_message(),
              "you have reached your 'api' rate limit. Retry after 55 seconds (0/500 requests "
              "remaining in current 300s window). slow down");
  }
}

}  // namespace
}  // namespace spacehub::client::detail
