// Timers on the fake clock and handler availability
// (503 after a configurable wait).
#include "session_fixture.hpp"

namespace zedge::session::testing {
namespace {

using Timers = SessionTest;

TEST_F(Timers, ConnectionWithoutRequestClosedAfterSessionTimeout) {
  start();
  at(59999ms);
  tick();
  EXPECT_FALSE(session().closed());
  at(60s);
  tick();
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(session().close_reason(), CloseReason::SessionTimeout);
  EXPECT_EQ(sent(), std::vector<Sent>{});
  EXPECT_FALSE(session().has_output());
}

// The handler's silence ends the session 60 s after its last packet, without a cancel
// (Condure 1.10 commit 5549b76).
TEST_F(Timers, SessionTimeoutCountsFromLastHandlerPacketAndSendsNoCancel) {
  start();
  at(1s);
  client("GET /stream HTTP/1.1\r\nHost: a\r\n\r\n");
  sent();
  at(50s);
  handler("T81:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:code,3:200#6:reason,2:OK,4:more,4:true!}");
  EXPECT_EQ(write(), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
  at(100s);
  handler("T61:4:from,7:handler,2:id,5:0-0-0,3:seq,1:1#4:type,10:keep-alive,}");
  at(159999ms);
  tick();
  EXPECT_FALSE(session().closed());
  at(160s);
  tick();
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(session().close_reason(), CloseReason::SessionTimeout);
  EXPECT_EQ(sent(), std::vector<Sent>{});
}

TEST_F(Timers, SessionTimeoutBeforeTheHandlerAnswers) {
  start();
  at(2s);
  client("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
  sent();
  at(61999ms);
  tick();
  EXPECT_FALSE(session().closed());
  at(62s);
  tick();
  EXPECT_EQ(session().close_reason(), CloseReason::SessionTimeout);
  EXPECT_EQ(sent(), std::vector<Sent>{});
}

TEST_F(Timers, IdleKeepAliveConnectionClosedAfterSessionTimeout) {
  start();
  client("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
  sent();
  at(1s);
  handler("T78:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:code,3:200#6:reason,2:OK,4:body,1:x,}");
  EXPECT_EQ(write(), "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx");
  at(60999ms);
  tick();
  EXPECT_FALSE(session().closed());
  at(61s);
  tick();
  EXPECT_EQ(session().close_reason(), CloseReason::SessionTimeout);
  EXPECT_EQ(sent(), std::vector<Sent>{});
}

// --header-timeout: a head trickled byte by byte is closed that long after its first byte,
// without a response and without the handler hearing of it (slowloris).
TEST_F(Timers, TrickledHeadClosedAfterHeaderTimeout) {
  settings_.header_timeout = 5s;
  start();
  at(10s);
  client("GET /slow HTTP/1.1\r\n");
  at(14s);
  client("X-Slow: 1\r\n");
  at(14999ms);
  tick();
  EXPECT_FALSE(session().closed());
  at(15s);
  tick();
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(session().close_reason(), CloseReason::SessionTimeout);
  EXPECT_EQ(sent(), std::vector<Sent>{});
  EXPECT_FALSE(session().has_output());
}

TEST_F(Timers, HeaderTimeoutStartsAgainForTheNextHeadOnAKeptAliveConnection) {
  settings_.header_timeout = 5s;
  start();
  client("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
  sent();
  at(1s);
  handler("T78:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:code,3:200#6:reason,2:OK,4:body,1:x,}");
  EXPECT_EQ(write(), "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx");
  at(40s);
  client("GET /next HTTP/1.1\r\n");
  at(44999ms);
  tick();
  EXPECT_FALSE(session().closed());
  at(45s);
  tick();
  EXPECT_EQ(session().close_reason(), CloseReason::SessionTimeout);
  EXPECT_EQ(sent(), std::vector<Sent>{});
}

TEST_F(Timers, CompleteHeadIsNotBoundByTheHeaderTimeout) {
  settings_.header_timeout = 5s;
  start();
  at(1s);
  client("GET /hello HTTP/1.1\r\n");
  at(2s);
  client("Host: a\r\n\r\n");
  EXPECT_EQ(sent().size(), 1u);
  at(61999ms);  // the handler has the session timer from the head's end
  tick();
  EXPECT_FALSE(session().closed());
  at(62s);
  tick();
  EXPECT_EQ(session().close_reason(), CloseReason::SessionTimeout);
}

TEST_F(Timers, ZeroHeaderTimeoutLeavesHeadsToTheSessionTimer) {
  settings_.header_timeout = 0s;
  start();
  at(1s);
  client("GET /slow HTTP/1.1\r\n");
  at(59999ms);
  tick();
  EXPECT_FALSE(session().closed());
  at(60s);
  tick();
  EXPECT_EQ(session().close_reason(), CloseReason::SessionTimeout);
}

// --stream-timeout: the client side was silent (no bytes in, none written) while the
// handler kept the session alive; the handler is told with a cancel.
TEST_F(Timers, StreamTimeoutSendsCancel) {
  settings_.stream_timeout = 10s;
  start();
  client("GET /stream HTTP/1.1\r\nHost: a\r\n\r\n");
  sent();
  at(1s);
  handler("T61:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:type,10:keep-alive,}");
  at(9999ms);
  tick();
  EXPECT_FALSE(session().closed());
  at(10s);
  tick();
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(session().close_reason(), CloseReason::ClientTimeout);
  EXPECT_EQ(sent(), (std::vector<Sent>{router("handler",
                                              "T81:4:from,7:condure,2:id,5:0-0-0,3:seq,1:1#3:ext,15:5:multi,4:true!}"
                                              "4:type,6:cancel,}")}));
  EXPECT_FALSE(session().has_output());
}

TEST_F(Timers, StreamTimeoutRestartsWhenOutputIsWritten) {
  settings_.stream_timeout = 10s;
  start();
  client("GET /stream HTTP/1.1\r\nHost: a\r\n\r\n");
  sent();
  at(5s);
  handler(
      "T92:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:code,3:200#6:reason,2:OK,4:body,1:a,"
      "4:more,4:true!}");
  EXPECT_EQ(write(), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n");
  EXPECT_EQ(sent(), (std::vector<Sent>{router("handler",
                                              "T95:4:from,7:condure,2:id,5:0-0-0,3:seq,1:1#3:ext,15:5:multi,4:true!}"
                                              "4:type,6:credit,7:credits,1:1#}")}));
  at(14999ms);
  tick();
  EXPECT_FALSE(session().closed());
  at(15s);
  tick();
  EXPECT_EQ(session().close_reason(), CloseReason::ClientTimeout);
  EXPECT_EQ(sent(), (std::vector<Sent>{router("handler",
                                              "T81:4:from,7:condure,2:id,5:0-0-0,3:seq,1:2#3:ext,15:5:multi,4:true!}"
                                              "4:type,6:cancel,}")}));
}

TEST_F(Timers, StreamTimeoutRestartsWithClientBytes) {
  settings_.stream_timeout = 10s;
  start();
  client("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n");
  sent();
  handler("T72:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:type,6:credit,7:credits,3:100#}");
  at(8s);
  client("01234");
  EXPECT_EQ(sent(), (std::vector<Sent>{router("handler",
                                              "T94:4:from,7:condure,2:id,5:0-0-0,3:seq,1:1#3:ext,15:5:multi,4:true!}"
                                              "4:body,5:01234,4:more,4:true!}")}));
  at(17999ms);
  tick();
  EXPECT_FALSE(session().closed());
  at(18s);
  tick();
  EXPECT_EQ(session().close_reason(), CloseReason::ClientTimeout);
  EXPECT_EQ(sent(), (std::vector<Sent>{router("handler",
                                              "T81:4:from,7:condure,2:id,5:0-0-0,3:seq,1:2#3:ext,15:5:multi,4:true!}"
                                              "4:type,6:cancel,}")}));
}

TEST_F(Timers, ReqTimeoutClosesWithoutAnyPacket) {
  settings_.mode = Mode::Req;
  start();
  at(3s);
  client("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(sent(), (std::vector<Sent>{dealer("T154:2:id,5:0-0-0,3:ext,15:5:multi,4:true!}6:method,3:GET,"
                                              "3:uri,14:http://a/hello,7:headers,15:11:4:Host,1:a,]]"
                                              "12:peer-address,9:127.0.0.1,9:peer-port,5:40000#}")}));
  at(32999ms);
  tick();
  EXPECT_FALSE(session().closed());
  at(33s);
  tick();
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(session().close_reason(), CloseReason::ClientTimeout);
  EXPECT_EQ(sent(), std::vector<Sent>{});  // req mode has no cancel
  EXPECT_FALSE(session().has_output());
}

TEST_F(Timers, ReqTimeoutClosesIdleConnection) {
  settings_.mode = Mode::Req;
  start();
  at(29999ms);
  tick();
  EXPECT_FALSE(session().closed());
  at(30s);
  tick();
  EXPECT_EQ(session().close_reason(), CloseReason::ClientTimeout);
}

using HandlerAvailability = SessionTest;

TEST_F(HandlerAvailability, RequestWaitsAndGoesOutWhenAHandlerConnects) {
  start();
  handlers_available(false);
  client("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(sent(), std::vector<Sent>{});
  at(4s);
  tick();
  EXPECT_FALSE(session().has_output());
  handlers_available(true);
  EXPECT_EQ(sent(), (std::vector<Sent>{push("T214:4:from,7:condure,2:id,5:0-0-0,3:seq,1:0#3:ext,15:5:multi,4:true!}"
                                            "6:method,3:GET,3:uri,14:http://a/hello,7:headers,15:11:4:Host,1:a,]]"
                                            "7:credits,4:8192#6:stream,4:true!12:peer-address,9:127.0.0.1,"
                                            "9:peer-port,5:40000#}")}));
  // From now on the session timer runs.
  at(63999ms);
  tick();
  EXPECT_FALSE(session().closed());
  at(64s);
  tick();
  EXPECT_EQ(session().close_reason(), CloseReason::SessionTimeout);
}

TEST_F(HandlerAvailability, RequestWithBodyWaitsToo) {
  start();
  handlers_available(false);
  client("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi");
  EXPECT_EQ(sent(), std::vector<Sent>{});
  handlers_available(true);
  EXPECT_EQ(sent(), (std::vector<Sent>{push("T252:4:from,7:condure,2:id,5:0-0-0,3:seq,1:0#3:ext,15:5:multi,4:true!}"
                                            "6:method,4:POST,3:uri,11:http://a/up,"
                                            "7:headers,41:11:4:Host,1:a,]22:14:Content-Length,1:2,]]7:credits,4:8192#"
                                            "4:more,4:true!6:stream,4:true!12:peer-address,9:127.0.0.1,"
                                            "9:peer-port,5:40000#}")}));
  handler("T70:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:type,6:credit,7:credits,1:2#}");
  EXPECT_EQ(sent(), (std::vector<Sent>{router("handler",
                                              "T77:4:from,7:condure,2:id,5:0-0-0,3:seq,1:1#3:ext,15:5:multi,4:true!}"
                                              "4:body,2:hi,}")}));
}

TEST_F(HandlerAvailability, NoHandlerWithinHandlerWaitGets503) {
  settings_.handler_wait = 5s;
  start();
  handlers_available(false);
  at(1s);
  client("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
  at(5999ms);
  tick();
  EXPECT_FALSE(session().has_output());
  at(6s);
  tick();
  EXPECT_TRUE(session().close_after_output());
  EXPECT_FALSE(session().closed());
  EXPECT_EQ(take(),
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nConnection: close\r\n"
            "Content-Length: 47\r\n\r\nNo handler is available to serve this request.\n");
  // A handler arriving now is too late.
  handlers_available(true);
  written();
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(session().close_reason(), CloseReason::ClientError);
  EXPECT_EQ(sent(), std::vector<Sent>{});
}

TEST_F(HandlerAvailability, Http10RequestGets503InHttp10) {
  settings_.handler_wait = 5s;
  start();
  handlers_available(false);
  client("GET /hello HTTP/1.0\r\n\r\n");
  at(5s);
  tick();
  EXPECT_EQ(write(),
            "HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
            "Content-Length: 47\r\n\r\nNo handler is available to serve this request.\n");
  EXPECT_TRUE(session().closed());
}

}  // namespace
}  // namespace zedge::session::testing
