// What sessions report for metrics (SessionEvents): each finished response with its status
// and duration, zedge's own error answers, WebSocket messages both ways, credit stalls.
#include "session_fixture.hpp"

namespace zedge::session::testing {
namespace {

class RecordingEvents : public SessionEvents {
 public:
  void request_done(int status, Clock::duration elapsed) override {
    statuses.push_back(status);
    durations.push_back(elapsed);
  }
  void websocket_message(bool from_client) override { (from_client ? from_client_ : to_client_)++; }
  void credit_stall() override { ++stalls; }

  std::vector<int> statuses;
  std::vector<Clock::duration> durations;
  int from_client_ = 0;
  int to_client_ = 0;
  int stalls = 0;
};

class Events : public SessionTest {
 protected:
  void SetUp() override { settings_.events = &events_; }
  RecordingEvents events_;
};

TEST_F(Events, AFinishedResponseReportsItsStatusAndDuration) {
  start();
  client("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  advance(40ms);
  handler("T85:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:code,3:404#6:reason,9:Not Found,4:body,1:x,}");
  EXPECT_EQ(events_.statuses, std::vector<int>{404});
  EXPECT_EQ(events_.durations, std::vector<Clock::duration>{40ms});
}

TEST_F(Events, AStreamedResponseIsReportedWhenItEnds) {
  start();
  client("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  handler("T92:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:code,3:200#6:reason,2:OK,4:body,1:a,4:more,4:true!}");
  EXPECT_EQ(events_.statuses, std::vector<int>{});
  write();
  advance(1s);
  handler("T51:4:from,7:handler,2:id,5:0-0-0,3:seq,1:1#4:body,1:b,}");
  EXPECT_EQ(events_.statuses, std::vector<int>{200});
  EXPECT_EQ(events_.durations, std::vector<Clock::duration>{1s});
}

TEST_F(Events, ZedgesOwnErrorAnswersAreReported) {
  start();
  client("BAD\r\n\r\n");
  EXPECT_EQ(events_.statuses, std::vector<int>{400});
}

TEST_F(Events, BodyWaitingForCreditsIsAStall) {
  start();
  client("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n0123456789");
  handler("T54:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#7:credits,1:4#}");  // 4 of 10 bytes
  EXPECT_EQ(events_.stalls, 1);                                            // 4 bytes went, 6 wait for credits
  handler("T61:4:from,7:handler,2:id,5:0-0-0,3:seq,1:1#4:type,10:keep-alive,}");
  EXPECT_EQ(events_.stalls, 1);  // the same wait, counted once
  handler("T54:4:from,7:handler,2:id,5:0-0-0,3:seq,1:2#7:credits,1:6#}");
  EXPECT_EQ(events_.stalls, 1);  // all sent
}

}  // namespace
}  // namespace zedge::session::testing
