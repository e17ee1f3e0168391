// The drain deadline (go_away) and refused connections (refuse_requests): every request
// that got in gets an answer -- 503 with `Connection: close` when its response has not
// started (its handler hears `cancel` when it has the request), a started response is cut,
// a new connection's first request gets 503 when it comes.
#include "session_fixture.hpp"

namespace zedge::session::testing {
namespace {

constexpr std::string_view kShuttingDown503 =
    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nConnection: close\r\n"
    "Content-Length: 48\r\n\r\nThe server is shutting down; retry the request.\n";

class DrainDeadline : public SessionTest {
 protected:
  void start_draining() {
    start();
    session().set_draining(true);
  }
};

TEST_F(DrainDeadline, RequestNoHandlerAnsweredYetGets503) {
  start_draining();
  client("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(sent().size(), 1u);  // the request went out on PUSH
  session().go_away();
  EXPECT_EQ(write(), kShuttingDown503);
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(session().close_reason(), CloseReason::Drained);
  // No address to send a cancel to: the connection remembers the id instead, so the
  // handler's first packet is answered with one.
  EXPECT_EQ(sent(), std::vector<Sent>{});
  EXPECT_TRUE(session().awaiting_handler());
}

TEST_F(DrainDeadline, RequestWhoseHandlerSpokeGets503AndTheHandlerACancel) {
  start_draining();
  client("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc");
  sent();
  handler("T72:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:type,6:credit,7:credits,3:100#}");
  EXPECT_EQ(sent().size(), 1u);  // the body
  session().go_away();
  EXPECT_EQ(sent(), (std::vector<Sent>{router("handler",
                                              "T81:4:from,7:condure,2:id,5:0-0-0,3:seq,1:2#3:ext,15:5:multi,4:true!}"
                                              "4:type,6:cancel,}")}));
  EXPECT_EQ(write(), kShuttingDown503);
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(session().close_reason(), CloseReason::Drained);
}

TEST_F(DrainDeadline, StartedResponseIsCutAndTheHandlerCancelled) {
  start_draining();
  client("GET /stream HTTP/1.1\r\nHost: a\r\n\r\n");
  sent();
  handler(
      "T92:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:code,3:200#6:reason,2:OK,4:body,1:a,"
      "4:more,4:true!}");
  EXPECT_EQ(write(), "HTTP/1.1 200 OK\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n");
  sent();
  EXPECT_TRUE(session().response_in_progress());
  session().go_away();
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(session().close_reason(), CloseReason::Drained);
  EXPECT_FALSE(session().has_output());  // no 503 after a status line, no last chunk
  EXPECT_EQ(sent(), (std::vector<Sent>{router("handler",
                                              "T81:4:from,7:condure,2:id,5:0-0-0,3:seq,1:2#3:ext,15:5:multi,4:true!}"
                                              "4:type,6:cancel,}")}));
}

TEST_F(DrainDeadline, WholeResponseStillBeingWrittenIsFinished) {
  start_draining();
  client("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
  sent();
  handler("T78:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:code,3:200#6:reason,2:OK,4:body,1:x,}");
  const std::string out = take();
  session().go_away();
  EXPECT_FALSE(session().closed());
  written();
  EXPECT_EQ(out, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx");
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(sent(), std::vector<Sent>{});
}

TEST_F(DrainDeadline, NewConnectionsFirstRequestGets503WithoutReachingAHandler) {
  start_draining();
  session().go_away();
  EXPECT_FALSE(session().closed());  // it was accepted: its request is owed an answer
  EXPECT_FALSE(session().has_output());
  client("GET /late HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(write(), kShuttingDown503);
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(session().close_reason(), CloseReason::Drained);
  EXPECT_EQ(sent(), std::vector<Sent>{});
}

TEST_F(DrainDeadline, RequestBodyAfterThe503IsNotForwarded) {
  start_draining();
  session().go_away();
  client("POST /late HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nab");
  EXPECT_EQ(write(), kShuttingDown503);
  client("cde");
  EXPECT_EQ(sent(), std::vector<Sent>{});
  EXPECT_TRUE(session().closed());
}

TEST_F(DrainDeadline, IdleConnectionThatServedARequestCloses) {
  start();
  client("GET /a HTTP/1.1\r\nHost: a\r\n\r\n");
  handler("T78:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:code,3:200#6:reason,2:OK,4:body,1:x,}");
  EXPECT_EQ(write(), "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx");
  sent();
  session().set_draining(true);
  session().go_away();
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(session().close_reason(), CloseReason::Drained);
  EXPECT_FALSE(session().has_output());
  EXPECT_EQ(sent(), std::vector<Sent>{});
}

TEST_F(DrainDeadline, NextHeadPartlyHereGets503WhenComplete) {
  start();
  client("GET /a HTTP/1.1\r\nHost: a\r\n\r\n");
  handler("T78:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:code,3:200#6:reason,2:OK,4:body,1:x,}");
  write();
  sent();
  client("GET /b HTTP/1.1\r\n");
  session().set_draining(true);
  session().go_away();
  EXPECT_FALSE(session().closed());
  client("Host: a\r\n\r\n");
  EXPECT_EQ(write(), kShuttingDown503);
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(sent(), std::vector<Sent>{});
}

TEST_F(DrainDeadline, WaitingForAHandlerToConnectGets503) {
  settings_.handler_wait = 5s;
  start_draining();
  handlers_available(false);
  client("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
  session().go_away();
  EXPECT_EQ(write(), kShuttingDown503);
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(sent(), std::vector<Sent>{});
}

TEST_F(DrainDeadline, ReqModeRequestInFlightGets503) {
  settings_.mode = Mode::Req;
  start_draining();
  client("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(sent().size(), 1u);  // on the DEALER
  session().go_away();
  EXPECT_EQ(write(), kShuttingDown503);
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(sent(), std::vector<Sent>{});  // req mode has no cancel
}

TEST_F(DrainDeadline, Http10ClientGets503InHttp10) {
  start_draining();
  client("GET /slow HTTP/1.0\r\n\r\n");
  session().go_away();
  EXPECT_EQ(write(),
            "HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
            "Content-Length: 48\r\n\r\nThe server is shutting down; retry the request.\n");
}

using DrainBeforeDeadline = SessionTest;

// A quiet keep-alive connection is closed while draining; a connection whose first request
// has not come yet (a slow client, a loaded machine) or whose next head is partly here is
// not: closing it would leave a client that got in without an answer.
TEST_F(DrainBeforeDeadline, QuietConnectionsCloseOnlyBetweenRequests) {
  start();
  session().set_draining(true);
  session().close_if_idle();
  EXPECT_FALSE(session().closed());
  client("GET /a HTTP/1.1\r\nHost: a\r\n\r\n");
  handler("T78:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:code,3:200#6:reason,2:OK,4:body,1:x,}");
  EXPECT_EQ(write(), "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx");
  EXPECT_TRUE(session().closed());  // Connection: close

  start();
  client("GET /a HTTP/1.1\r\nHost: a\r\n\r\n");
  handler("T78:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:code,3:200#6:reason,2:OK,4:body,1:x,}");
  write();
  client("GET /b HTTP/1.1\r\n");
  session().set_draining(true);
  session().close_if_idle();
  EXPECT_FALSE(session().closed());  // a head is partly here
  client("Host: a\r\n\r\n");
  EXPECT_EQ(sent().size(), 2u);  // /a and /b went to the handler
}

TEST_F(DrainBeforeDeadline, QuietConnectionThatServedARequestCloses) {
  start();
  client("GET /a HTTP/1.1\r\nHost: a\r\n\r\n");
  handler("T78:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:code,3:200#6:reason,2:OK,4:body,1:x,}");
  write();
  session().set_draining(true);
  session().close_if_idle();
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(session().close_reason(), CloseReason::Drained);
}

using RefusedConnection = SessionTest;

// A closing listener's backlog past the connection limit: served by no handler, answered.
TEST_F(RefusedConnection, EveryRequestGets503) {
  start();
  session().refuse_requests();
  client("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(write(), kShuttingDown503);
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(sent(), std::vector<Sent>{});
}

}  // namespace
}  // namespace zedge::session::testing
