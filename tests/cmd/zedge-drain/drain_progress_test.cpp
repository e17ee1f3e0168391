#include "drain_progress.hpp"

#include <gtest/gtest.h>

#include <string>

namespace zedge::drain {
namespace {

// The shape of GET /status (api/admin.openapi.yaml), trimmed to what matters plus a few
// fields that must be ignored.
std::string status(bool started, bool finished, double left, bool open, int total) {
  return std::string("{\"version\":\"0.1.0\",\"state\":\"") + (started ? "DRAINING" : "LIVE") +
         "\",\"listeners\":[{\"address\":\"0.0.0.0:8000\",\"mode\":\"stream\",\"tls\":false,\"open\":" +
         (open ? "true" : "false") + "}],\"connections\":{\"total\":" + std::to_string(total) +
         ",\"by_protocol\":{\"http\":0,\"websocket\":0}},\"drain\":{\"started\":" + (started ? "true" : "false") +
         ",\"finished\":" + (finished ? "true" : "false") + ",\"deadline_seconds_left\":" + std::to_string(left) +
         ",\"timeout_seconds\":3,\"stop_accepting\":false,\"close_websockets_now\":false,\"exit\":false}}";
}

DrainProgress parse(const std::string& json) {
  std::string error;
  auto p = parse_drain_progress(json, error);
  EXPECT_TRUE(p) << error;
  return p.value_or(DrainProgress{});
}

TEST(DrainProgress, OverWhenZedgeSaysFinished) {
  EXPECT_TRUE(parse(status(true, true, 0, false, 0)).over());
  EXPECT_FALSE(parse(status(false, false, 0, false, 0)).over());  // not draining
  // Before the deadline, a listener still open, connections left: zedge says not finished.
  EXPECT_FALSE(parse(status(true, false, 1.5, false, 0)).over());
  EXPECT_FALSE(parse(status(true, false, 0, true, 0)).over());
  // Listeners closed, no connection counted yet, but their backlog not taken: not finished.
  EXPECT_FALSE(parse(status(true, false, 0, false, 0)).over());
  const DrainProgress closing = parse(status(true, false, 0, false, 2));
  EXPECT_FALSE(closing.over());
  EXPECT_EQ(closing.connections, 2u);
}

TEST(DrainProgress, CountsOpenListeners) {
  const std::string json =
      "{\"listeners\":[{\"open\":true},{\"open\":false},{\"open\":true}],\"connections\":{\"total\":7},"
      "\"drain\":{\"started\":true,\"finished\":false,\"deadline_seconds_left\":2.5}}";
  const DrainProgress p = parse(json);
  EXPECT_EQ(p.listeners_open, 2u);
  EXPECT_EQ(p.connections, 7u);
  EXPECT_EQ(p.deadline_seconds_left, 2.5);
  EXPECT_TRUE(p.started);
}

TEST(DrainProgress, MissingOrMistypedFields) {
  for (const char* json : {
           "",
           "[]",
           "{\"listeners\":[],\"connections\":{\"total\":0}}",
           "{\"listeners\":[],\"connections\":{\"total\":-1},\"drain\":{\"started\":true,\"deadline_seconds_left\":0}}",
           "{\"listeners\":{},\"connections\":{\"total\":0},\"drain\":{\"started\":true,\"deadline_seconds_left\":0}}",
           "{\"listeners\":[{}],\"connections\":{\"total\":0},\"drain\":{\"started\":true,\"deadline_seconds_left\":0}"
           "}",
           "{\"listeners\":[],\"connections\":{\"total\":0},\"drain\":{\"started\":\"yes\",\"deadline_seconds_left\":0}"
           "}",
           "{\"listeners\":[],\"connections\":{\"total\":0},\"drain\":{\"started\":true}}",
           "{\"listeners\":[],\"connections\":{\"total\":0},\"drain\":{\"started\":true,\"deadline_seconds_left\":0}}",
       }) {
    std::string error;
    EXPECT_FALSE(parse_drain_progress(json, error)) << json;
    EXPECT_FALSE(error.empty()) << json;
  }
}

}  // namespace
}  // namespace zedge::drain
