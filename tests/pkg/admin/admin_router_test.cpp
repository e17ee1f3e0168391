// AdminRouter: every endpoint x method x status, the JSON shapes, and the request bodies,
// against a fake backend (no sockets).
#include "admin/admin_router.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <string>

#include "fake_backend.hpp"

namespace zedge::admin {
namespace {

AdminRequest request(std::string method, std::string target, std::string body = "") {
  AdminRequest r;
  r.method = std::move(method);
  r.target = std::move(target);
  r.body = std::move(body);
  r.peer_is_loopback = true;
  return r;
}

std::string header(const AdminResponse& r, std::string_view name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return "";
}

rapidjson::Document parse(const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body.c_str());
  EXPECT_FALSE(doc.HasParseError()) << body;
  return doc;
}

class AdminRouterTest : public ::testing::Test {
 protected:
  AdminResponse handle(std::string method, std::string target, std::string body = "") {
    return router.handle(request(std::move(method), std::move(target), std::move(body)));
  }

  testing::FakeBackend backend;
  AdminRouter router{backend, AdminRouterOptions{}};
};

struct Case {
  const char* method;
  const char* path;
  int status;
};

// With a healthy, ready, not draining backend, from loopback, bodies empty.
TEST_F(AdminRouterTest, EveryEndpointAndMethod) {
  const Case cases[] = {
      {"GET", "/livez", 200},         {"HEAD", "/livez", 200},
      {"POST", "/livez", 405},        {"GET", "/readyz", 200},
      {"HEAD", "/readyz", 200},       {"POST", "/readyz", 405},
      {"GET", "/status", 200},        {"HEAD", "/status", 200},
      {"POST", "/status", 405},       {"GET", "/connections", 200},
      {"HEAD", "/connections", 200},  {"POST", "/connections", 405},
      {"GET", "/metrics", 200},       {"HEAD", "/metrics", 200},
      {"POST", "/metrics", 405},      {"PUT", "/metrics", 405},
      {"DELETE", "/status", 405},     {"OPTIONS", "/livez", 405},
      {"GET", "/drain", 405},         {"HEAD", "/drain", 405},
      {"PUT", "/drain", 405},         {"GET", "/drain/cancel", 405},
      {"HEAD", "/drain/cancel", 405}, {"POST", "/drain/cancel", 409},
      {"GET", "/log-level", 405},     {"HEAD", "/log-level", 405},
      {"POST", "/log-level", 400},    {"GET", "/quit", 405},
      {"HEAD", "/quit", 405},         {"GET", "/handoff", 405},
      {"POST", "/handoff", 501},      {"GET", "/", 404},
      {"GET", "/status/", 404},       {"POST", "/nope", 404},
      {"GET", "/LIVEZ", 404},         {"GET", "/drain/cancel/x", 404},
      {"POST", "/drain", 202},        {"POST", "/drain", 409},
      {"POST", "/drain/cancel", 200}, {"POST", "/quit", 202},
  };
  for (const auto& c : cases) {
    const auto r = handle(c.method, c.path);
    EXPECT_EQ(r.status, c.status) << c.method << " " << c.path << ": " << r.body;
    if (r.status >= 400) {
      EXPECT_EQ(r.content_type, "application/json") << c.method << " " << c.path;
      EXPECT_TRUE(parse(r.body)["error"].IsString()) << r.body;
    }
  }
  EXPECT_EQ(backend.quit_calls, 1);
}

TEST_F(AdminRouterTest, MethodNotAllowedSaysWhatIs) {
  auto r = handle("POST", "/status");
  EXPECT_EQ(header(r, "Allow"), "GET, HEAD");
  r = handle("GET", "/drain");
  EXPECT_EQ(header(r, "Allow"), "POST");
  EXPECT_EQ(backend.drain_calls, 0);  // a GET never reaches the backend's mutations
  r = handle("HEAD", "/quit");
  EXPECT_EQ(header(r, "Allow"), "POST");
  EXPECT_EQ(backend.quit_calls, 0);
}

TEST_F(AdminRouterTest, QueryStringIsIgnoredForRouting) {
  EXPECT_EQ(handle("GET", "/metrics?name[]=x").status, 200);
  EXPECT_EQ(handle("GET", "/livez?").status, 200);
  EXPECT_EQ(handle("GET", "/nope?/livez").status, 404);
}

TEST_F(AdminRouterTest, Livez) {
  auto r = handle("GET", "/livez");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "live\n");
  EXPECT_EQ(r.content_type, "text/plain; charset=utf-8");
  backend.is_alive = false;
  r = handle("GET", "/livez");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, "not live: an event loop did not answer\n");
}

TEST_F(AdminRouterTest, Readyz) {
  auto r = handle("GET", "/readyz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ready\n");
  backend.not_ready = "no handler connected yet";
  r = handle("GET", "/readyz");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, "not ready: no handler connected yet\n");
  EXPECT_EQ(r.content_type, "text/plain; charset=utf-8");
  backend.draining = true;
  EXPECT_EQ(handle("GET", "/readyz").body, "not ready: draining\n");
}

TEST_F(AdminRouterTest, StatusJsonIsExact) {
  const auto r = handle("GET", "/status");
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(
      r.body,
      R"({"version":"1.2.3","state":"LIVE","ready":true,"not_ready_reason":null,"uptime_seconds":12.5,)"
      R"("listeners":[{"address":"0.0.0.0:8000","mode":"stream","tls":false,"open":true},)"
      R"({"address":"127.0.0.1:8001","mode":"req","tls":true,"open":false}],)"
      R"("connections":{"total":5,"by_protocol":{"http":4,"websocket":1},"by_mode":{"stream":4,"req":1},)"
      R"("by_state":{"idle":1,"active":2,"websocket":1,"lingering":1}},)"
      R"("workers":[{"index":0,"connections":{"total":4,"by_protocol":{"http":3,"websocket":1},)"
      R"("by_mode":{"stream":3,"req":1},"by_state":{"idle":1,"active":2,"websocket":1,"lingering":0}}},)"
      R"({"index":1,"connections":{"total":1,"by_protocol":{"http":1,"websocket":0},)"
      R"("by_mode":{"stream":1,"req":0},"by_state":{"idle":0,"active":0,"websocket":0,"lingering":1}}}],)"
      R"("handlers":{"connected":1,"seen":[{"address":"handler-1","last_seen_seconds_ago":0.25}],"discovery":[]},)"
      R"("totals":{"connections_accepted":10,"requests":20,"websocket_messages":30,)"
      R"("client_received_bytes":400,"client_sent_bytes":500},)"
      R"("drain":{"started":false,"finished":false,"deadline_seconds_left":0.0,"timeout_seconds":25.0,"stop_accepting":true,)"
      R"("close_websockets_now":false,"exit":false}})"
      "\n");
}

TEST_F(AdminRouterTest, StatusWhileDrainingAndNotReady) {
  backend.draining = true;
  backend.last_drain.timeout = std::chrono::milliseconds(1500);
  const auto doc = parse(handle("GET", "/status").body);
  EXPECT_STREQ(doc["state"].GetString(), "DRAINING");
  EXPECT_FALSE(doc["ready"].GetBool());
  EXPECT_STREQ(doc["not_ready_reason"].GetString(), "draining");
  EXPECT_TRUE(doc["drain"]["started"].GetBool());
  EXPECT_DOUBLE_EQ(doc["drain"]["timeout_seconds"].GetDouble(), 1.5);
  EXPECT_DOUBLE_EQ(doc["drain"]["deadline_seconds_left"].GetDouble(), 24.5);
}

TEST_F(AdminRouterTest, HandlerAddressesThatAreNotUtf8StayValidJson) {
  backend.snapshot.handlers = {{std::string("h\xff\x01", 3), 1.0}};
  const auto doc = parse(handle("GET", "/status").body);
  EXPECT_STREQ(doc["handlers"]["seen"][0]["address"].GetString(), "h\\xff\\x01");
}

TEST_F(AdminRouterTest, ConnectionsJson) {
  const auto r = handle("GET", "/connections");
  EXPECT_EQ(r.content_type, "application/json");
  const auto doc = parse(r.body);
  ASSERT_TRUE(doc.IsObject());
  EXPECT_EQ(doc.MemberCount(), 2U);
  EXPECT_EQ(doc["connections"]["total"].GetUint64(), 5U);
  EXPECT_EQ(doc["connections"]["by_state"]["lingering"].GetUint64(), 1U);
  EXPECT_EQ(doc["workers"].Size(), 2U);
  EXPECT_EQ(doc["workers"][1]["index"].GetUint(), 1U);
}

TEST_F(AdminRouterTest, Metrics) {
  backend.metrics_snapshot.connections_accepted = 42;
  const auto r = handle("GET", "/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(r.body.find("\nzedge_connections_accepted_total 42\n"), std::string::npos);
  EXPECT_NE(r.body.find("\nzedge_build_info{version=\"1.2.3\"} 1\n"), std::string::npos);
}

TEST_F(AdminRouterTest, DrainWithoutBodyUsesTheDefaults) {
  DrainOptions defaults;
  defaults.timeout = std::chrono::milliseconds(30000);
  defaults.stop_accepting = false;
  AdminRouter configured(backend, AdminRouterOptions{"", defaults});
  const auto r = configured.handle(request("POST", "/drain"));
  EXPECT_EQ(r.status, 202);
  EXPECT_EQ(backend.last_drain.timeout, std::chrono::milliseconds(30000));
  EXPECT_FALSE(backend.last_drain.stop_accepting);
  EXPECT_FALSE(backend.last_drain.close_websockets_now);
  EXPECT_FALSE(backend.last_drain.exit_when_done);
  const auto doc = parse(r.body);
  EXPECT_STREQ(doc["state"].GetString(), "DRAINING");
}

TEST_F(AdminRouterTest, DrainBodyFields) {
  const auto r =
      handle("POST", "/drain",
             R"({"timeout_seconds": 2.5, "stop_accepting": false, "close_websockets_now": true, "exit": true})");
  EXPECT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(backend.last_drain.timeout, std::chrono::milliseconds(2500));
  EXPECT_FALSE(backend.last_drain.stop_accepting);
  EXPECT_TRUE(backend.last_drain.close_websockets_now);
  EXPECT_TRUE(backend.last_drain.exit_when_done);

  backend.draining = false;
  EXPECT_EQ(handle("POST", "/drain", R"({"timeout_seconds": 0})").status, 202);
  EXPECT_EQ(backend.last_drain.timeout, std::chrono::milliseconds(0));
  backend.draining = false;
  EXPECT_EQ(handle("POST", "/drain", " \r\n ").status, 202);
  backend.draining = false;
  EXPECT_EQ(handle("POST", "/drain", "{}").status, 202);
}

TEST_F(AdminRouterTest, BadDrainBodiesAre400AndStartNothing) {
  const char* bodies[] = {
      "{",
      "[]",
      "null",
      "7",
      R"({"timeout_seconds": "10"})",
      R"({"timeout_seconds": -1})",
      R"({"timeout_seconds": 86401})",
      R"({"stop_accepting": 1})",
      R"({"close_websockets_now": "true"})",
      R"({"exit": null})",
      R"({"timeout": 10})",
      R"({"exit": true, "exit": false})",
      R"({} {})",
      R"({"timeout_seconds": 1e999})",
  };
  for (const char* body : bodies) {
    const auto r = handle("POST", "/drain", body);
    EXPECT_EQ(r.status, 400) << body;
    EXPECT_TRUE(parse(r.body)["error"].IsString());
  }
  EXPECT_EQ(backend.drain_calls, 0);
}

TEST_F(AdminRouterTest, DeeplyNestedBodyIsRefusedNotACrash) {
  const std::string body = std::string(60000, '[') + std::string(60000, ']');
  EXPECT_EQ(handle("POST", "/drain", body).status, 400);
}

TEST_F(AdminRouterTest, DrainTwiceIs409AndCancelTwiceIs409) {
  EXPECT_EQ(handle("POST", "/drain").status, 202);
  auto r = handle("POST", "/drain");
  EXPECT_EQ(r.status, 409);
  EXPECT_STREQ(parse(r.body)["error"].GetString(), "already draining");
  r = handle("POST", "/drain/cancel");
  EXPECT_EQ(r.status, 200);
  EXPECT_STREQ(parse(r.body)["state"].GetString(), "LIVE");
  EXPECT_EQ(handle("POST", "/drain/cancel").status, 409);
}

TEST_F(AdminRouterTest, LogLevel) {
  auto r = handle("POST", "/log-level", R"({"level": 3})");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\"level\":3}\n");
  EXPECT_EQ(backend.log_levels, std::vector<int>{3});

  const char* bad[] = {"",
                       "{}",
                       R"({"level": 5})",
                       R"({"level": -1})",
                       R"({"level": 2.0})",
                       R"({"level": "2"})",
                       R"({"level": 2, "x": 1})",
                       "[2]",
                       "{\"level\":"};
  for (const char* body : bad) EXPECT_EQ(handle("POST", "/log-level", body).status, 400) << body;
  EXPECT_EQ(backend.log_levels.size(), 1U);
}

TEST_F(AdminRouterTest, QuitAnswers202WithStatus) {
  const auto r = handle("POST", "/quit");
  EXPECT_EQ(r.status, 202);
  EXPECT_EQ(backend.quit_calls, 1);
  EXPECT_STREQ(parse(r.body)["state"].GetString(), "DRAINING");
}

TEST_F(AdminRouterTest, HandoffIsReserved) {
  const auto r = handle("POST", "/handoff");
  EXPECT_EQ(r.status, 501);
  EXPECT_STREQ(parse(r.body)["error"].GetString(), "handoff is not implemented yet; the path is reserved for it");
}

}  // namespace
}  // namespace zedge::admin
