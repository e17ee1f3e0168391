// Req mode (DEALER): one packet per request with the whole de-chunked
// body and no from/seq/credits/stream/more; one reply, always written with
// Content-Length; 413 over --body-buffer-size; WebSocket refused with Condure's 400.
#include "session_fixture.hpp"

namespace zedge::session::testing {
namespace {

class ReqMode : public SessionTest {
 protected:
  void SetUp() override { settings_.mode = Mode::Req; }
};

// Byte for byte the packet Condure was seen sending, with our id and port.
TEST_F(ReqMode, GetSendsOnePacketLikeCondure) {
  start();
  client("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(sent(), (std::vector<Sent>{dealer("T154:2:id,5:0-0-0,3:ext,15:5:multi,4:true!}6:method,3:GET,"
                                              "3:uri,14:http://a/hello,7:headers,15:11:4:Host,1:a,]]"
                                              "12:peer-address,9:127.0.0.1,9:peer-port,5:40000#}")}));
}

TEST_F(ReqMode, ReplyAlwaysGetsItsOwnContentLength) {
  start();
  client("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
  sent();
  // `more` is ignored and the handler's framing headers are replaced.
  handler(
      "T207:2:id,5:0-0-0,4:code,3:200#6:reason,2:OK,"
      "7:headers,122:30:12:Content-Type,10:text/"
      "plain,]23:14:Content-Length,2:99,]31:17:Transfer-Encoding,7:chunked,]22:10:Connection,5:close,]]"
      "4:body,6:hello\n,4:more,4:true!}");
  EXPECT_EQ(write(), "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n\r\nhello\n");
  EXPECT_EQ(sent(), std::vector<Sent>{});  // no credits in req mode
  EXPECT_FALSE(session().closed());

  // Keep-alive: the next request has a new id.
  client("GET /again HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(sent(), (std::vector<Sent>{dealer("T154:2:id,5:0-0-1,3:ext,15:5:multi,4:true!}6:method,3:GET,"
                                              "3:uri,14:http://a/again,7:headers,15:11:4:Host,1:a,]]"
                                              "12:peer-address,9:127.0.0.1,9:peer-port,5:40000#}")}));
}

TEST_F(ReqMode, NonDataReplyIsSkipped) {
  start();
  client("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
  sent();
  handler("T34:2:id,5:0-0-0,4:type,10:keep-alive,}");
  EXPECT_FALSE(session().has_output());
  EXPECT_FALSE(session().closed());
  handler("T51:2:id,5:0-0-0,4:code,3:200#6:reason,2:OK,4:body,1:x,}");
  EXPECT_EQ(write(), "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx");
}

TEST_F(ReqMode, ChunkedBodyIsSentWholeAndDechunked) {
  start();
  client("POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
  EXPECT_EQ(sent(), std::vector<Sent>{});  // nothing until the body is complete
  client("6\r\n world\r\n0\r\n\r\n");
  EXPECT_EQ(sent(),
            (std::vector<Sent>{dealer("T209:2:id,5:0-0-0,3:ext,15:5:multi,4:true!}6:method,4:POST,"
                                      "3:uri,11:http://a/up,"
                                      "7:headers,50:11:4:Host,1:a,]31:17:Transfer-Encoding,7:chunked,]]"
                                      "4:body,11:hello world,12:peer-address,9:127.0.0.1,9:peer-port,5:40000#}")}));
  EXPECT_EQ(unconsumed(), "");
}

TEST_F(ReqMode, BodyUpToTheLimitIsSent) {
  settings_.body_buffer_size_bytes = 10;
  start();
  client("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n0123456789");
  EXPECT_EQ(sent(),
            (std::vector<Sent>{dealer("T200:2:id,5:0-0-0,3:ext,15:5:multi,4:true!}6:method,4:POST,"
                                      "3:uri,11:http://a/up,"
                                      "7:headers,42:11:4:Host,1:a,]23:14:Content-Length,2:10,]]"
                                      "4:body,10:0123456789,12:peer-address,9:127.0.0.1,9:peer-port,5:40000#}")}));
}

TEST_F(ReqMode, BodyOverTheLimitGets413) {
  settings_.body_buffer_size_bytes = 10;
  start();
  client("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world");
  EXPECT_EQ(sent(), std::vector<Sent>{});
  EXPECT_EQ(write(),
            "HTTP/1.1 413 Content Too Large\r\nContent-Type: text/plain\r\nConnection: close\r\n"
            "Content-Length: 44\r\n\r\nRequest body exceeds the limit of 10 bytes.\n");
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(session().close_reason(), CloseReason::ClientError);
}

TEST_F(ReqMode, WebSocketGetsCondures400) {
  start();
  client(
      "GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: abcde\r\n\r\n");
  EXPECT_EQ(sent(), std::vector<Sent>{});
  EXPECT_EQ(write(),
            "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n"
            "Content-Length: 48\r\n\r\nWebSockets not supported on req mode interface.\n");
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(session().close_reason(), CloseReason::ClientError);
}

TEST_F(ReqMode, HeadReplyHasLengthButNoBody) {
  start();
  client("HEAD /hello HTTP/1.1\r\nHost: a\r\n\r\n");
  sent();
  handler("T56:2:id,5:0-0-0,4:code,3:200#6:reason,2:OK,4:body,6:hello\n,}");
  EXPECT_EQ(write(), "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n");
  EXPECT_FALSE(session().closed());
}

TEST_F(ReqMode, ConnectionCloseRequestClosesAfterReply) {
  start();
  client("GET /hello HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  sent();
  handler("T51:2:id,5:0-0-0,4:code,3:200#6:reason,2:OK,4:body,1:x,}");
  EXPECT_EQ(write(), "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx");
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(session().close_reason(), CloseReason::Done);
}

TEST_F(ReqMode, ClientLeavingSendsNothing) {
  start();
  client("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
  sent();
  client_closes();
  EXPECT_EQ(session().close_reason(), CloseReason::ClientGone);
  EXPECT_EQ(sent(), std::vector<Sent>{});
}

}  // namespace
}  // namespace zedge::session::testing
