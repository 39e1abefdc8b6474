// FetchJobLogs against a scripted loopback server: which events are lines, the query it sends,
// and the follow loop's reconnects (replayed events skipped by count; no reconnect once the job
// has ended).
#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <vector>

#include "client/scripted_server_test_util.h"
#include "spacehub/hub_client.h"

namespace spacehub::client {
namespace {

using detail::Answer;
using detail::ScriptedServer;

std::string Sse(const std::string& body) {
  return Answer(200, body, "Content-Type: text/event-stream\r\n");
}

// Headers that promise more than is sent: the connection closes mid-body, a dropped stream.
std::string DroppedSse(const std::string& body) {
  return "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: " +
         std::to_string(body.size() + 1000) + "\r\nConnection: close\r\n\r\n" + body;
}

std::string JobJson(const std::string& stage) {
  return R"({"id":"j1","owner":{"id":"u","name":"alice","type":"user"},"status":{"stage":")" +
         stage + R"("}})";
}

std::string Event(const std::string& text) { return "data: {\"data\":\"" + text + "\"}\n\n"; }

HubClient ClientFor(const ScriptedServer& server) {
  ClientOptions o;
  o.endpoint = server.url("");
  o.token = "hf_test";
  o.offline = false;
  return HubClient(o);
}

// The request lines the server saw; written on its thread, read on the test's (sockets are no
// synchronisation a race detector knows of, hence the lock).
class RequestLog {
 public:
  void Add(const std::string& request) {
    std::lock_guard<std::mutex> lock(mu_);
    lines_.push_back(request.substr(0, request.find('\r')));
  }
  std::vector<std::string> lines() const {
    std::lock_guard<std::mutex> lock(mu_);
    return lines_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
};

TEST(JobLogsTest, OnlyDataObjectsAreLines) {
  RequestLog requests;
  ScriptedServer server([&](int, const std::string& req) {
    requests.Add(req);
    return Sse(": keep-alive\n\nevent: log\n" + Event("===== Job started at x =====") +
               "data: plain text\n\ndata:\n\n" +
               "data: {\"data\":\"one\",\"timestamp\":\"2026-12-02T10:00:00.000Z\"}\n\n" +
               Event("two"));
  });
  std::vector<JobLogLine> lines;
  JobLogOptions o;
  o.tail = 10;
  ClientFor(server).FetchJobLogs("alice/j1", o, [&](const JobLogLine& line) {
    lines.push_back(line);
    return true;
  });
  ASSERT_EQ(lines.size(), 2U);
  EXPECT_EQ(lines[0].data, "one");
  EXPECT_EQ(lines[0].timestamp, "2026-12-02T10:00:00.000Z");
  EXPECT_EQ(lines[1].data, "two");
  EXPECT_EQ(requests.lines(),
            std::vector<std::string>{"GET /api/jobs/alice/j1/logs?follow=false&tail=10 HTTP/1.1"});
}

TEST(JobLogsTest, TheCallbackStopsTheRead) {
  ScriptedServer server(
      [](int, const std::string&) { return Sse(Event("a") + Event("b") + Event("c")); });
  int calls = 0;
  ClientFor(server).FetchJobLogs("alice/j1", {}, [&](const JobLogLine&) { return ++calls < 2; });
  EXPECT_EQ(calls, 2);
}

TEST(JobLogsTest, FollowReconnectsAfterADropAndSkipsTheReplay) {
  RequestLog requests;
  ScriptedServer server([&](int n, const std::string& req) {
    requests.Add(req);
    switch (n) {
      case 0:
        return DroppedSse(Event("===== Job started =====") + Event("one") + Event("two"));
      case 1:
        return Answer(200, JobJson("RUNNING"));
      default:  // the full history again, then one more line, then a clean end
        return Sse(Event("===== Job started =====") + Event("one") + Event("two") + Event("three"));
    }
  });
  std::vector<std::string> lines;
  JobLogOptions o;
  o.follow = true;
  o.tail = 5;
  ClientFor(server).FetchJobLogs("alice/j1", o, [&](const JobLogLine& line) {
    lines.push_back(line.data);
    return true;
  });
  EXPECT_EQ(lines, (std::vector<std::string>{"one", "two", "three"}));
  // tail is asked for once; between the two streams, the job's stage.
  EXPECT_EQ(requests.lines(), (std::vector<std::string>{
                                  "GET /api/jobs/alice/j1/logs?tail=5 HTTP/1.1",
                                  "GET /api/jobs/alice/j1 HTTP/1.1",
                                  "GET /api/jobs/alice/j1/logs HTTP/1.1",
                              }));
}

TEST(JobLogsTest, FollowStopsWhenTheJobHasEnded) {
  ScriptedServer server([](int n, const std::string&) {
    return n == 0 ? DroppedSse(Event("one")) : Answer(200, JobJson("COMPLETED"));
  });
  std::vector<std::string> lines;
  JobLogOptions o;
  o.follow = true;
  ClientFor(server).FetchJobLogs("alice/j1", o, [&](const JobLogLine& line) {
    lines.push_back(line.data);
    return true;
  });
  EXPECT_EQ(lines, std::vector<std::string>{"one"});
  EXPECT_EQ(server.count(), 2);
}

TEST(JobLogsTest, ADroppedStreamWithoutFollowIsAnError) {
  ScriptedServer server([](int, const std::string&) { return DroppedSse(Event("one")); });
  EXPECT_THROW(
      ClientFor(server).FetchJobLogs("alice/j1", {}, [](const JobLogLine&) { return true; }),
      NetworkError);
}

TEST(JobLogsTest, AnErrorAnswerIsThrown) {
  ScriptedServer server([](int, const std::string&) {
    return Answer(404, R"({"error":"Job not found"})", "Content-Type: application/json\r\n");
  });
  EXPECT_THROW(
      ClientFor(server).FetchJobLogs("alice/j1", {}, [](const JobLogLine&) { return true; }),
      HttpError);
}

}  // namespace
}  // namespace spacehub::client
