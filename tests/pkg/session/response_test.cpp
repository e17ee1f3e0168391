// Responses in stream mode: framing chosen from
// the handler's first packet, credits returned as body bytes reach the client, and
// persistence/pipelining of the connection.
#include "session_fixture.hpp"

namespace zedge::session::testing {
namespace {

using Response = SessionTest;

TEST_F(Response, WholeResponseGetsContentLengthAndReturnsNoCredit) {
  start();
  client("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
  sent();
  handler(
      "T131:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:code,3:200#6:reason,2:OK,"
      "7:headers,34:30:12:Content-Type,10:text/plain,]]4:body,6:hello\n,}");
  EXPECT_EQ(write(), "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n\r\nhello\n");
  EXPECT_EQ(sent(), std::vector<Sent>{});  // no credit for the end of a finished response
  EXPECT_FALSE(session().closed());
  EXPECT_EQ(session().close_reason(), CloseReason::None);
}

// A stream-mode transcript observed with Condure 1.9.1, with zedge's chunked framing (no
// "Connection: Transfer-Encoding").
TEST_F(Response, StreamedResponseIsChunkedAndEachWriteReturnsCredits) {
  start();
  client("GET /stream HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(sent(), (std::vector<Sent>{push("T215:4:from,7:condure,2:id,5:0-0-0,3:seq,1:0#3:ext,15:5:multi,4:true!}"
                                            "6:method,3:GET,3:uri,15:http://a/stream,7:headers,15:11:4:Host,1:a,]]"
                                            "7:credits,4:8192#6:stream,4:true!12:peer-address,9:127.0.0.1,"
                                            "9:peer-port,5:40000#}")}));

  handler(
      "T145:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:code,3:200#6:reason,2:OK,"
      "7:headers,34:30:12:Content-Type,10:text/plain,]]4:body,6:first\n,4:more,4:true!}");
  EXPECT_EQ(take(),
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nfirst\n\r\n");
  EXPECT_EQ(sent(), std::vector<Sent>{});  // credits come back only once written
  written();
  EXPECT_EQ(sent(), (std::vector<Sent>{router("handler",
                                              "T95:4:from,7:condure,2:id,5:0-0-0,3:seq,1:1#3:ext,15:5:multi,4:true!}"
                                              "4:type,6:credit,7:credits,1:6#}")}));

  handler("T71:4:from,7:handler,2:id,5:0-0-0,3:seq,1:1#4:body,7:chunk0\n,4:more,4:true!}");
  EXPECT_EQ(write(), "7\r\nchunk0\n\r\n");
  EXPECT_EQ(sent(), (std::vector<Sent>{router("handler",
                                              "T95:4:from,7:condure,2:id,5:0-0-0,3:seq,1:2#3:ext,15:5:multi,4:true!}"
                                              "4:type,6:credit,7:credits,1:7#}")}));

  handler("T55:4:from,7:handler,2:id,5:0-0-0,3:seq,1:2#4:body,5:last\n,}");
  EXPECT_EQ(write(), "5\r\nlast\n\r\n0\r\n\r\n");
  EXPECT_EQ(sent(), std::vector<Sent>{});
  EXPECT_FALSE(session().closed());
}

TEST_F(Response, OneCreditPacketPerWriteBatch) {
  start();
  client("GET /stream HTTP/1.1\r\nHost: a\r\n\r\n");
  sent();
  handler(
      "T93:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:code,3:200#6:reason,2:OK,4:body,2:ab,"
      "4:more,4:true!}");
  handler("T67:4:from,7:handler,2:id,5:0-0-0,3:seq,1:1#4:body,3:cde,4:more,4:true!}");
  EXPECT_EQ(write(), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n3\r\ncde\r\n");
  EXPECT_EQ(sent(), (std::vector<Sent>{router("handler",
                                              "T95:4:from,7:condure,2:id,5:0-0-0,3:seq,1:1#3:ext,15:5:multi,4:true!}"
                                              "4:type,6:credit,7:credits,1:5#}")}));
}

TEST_F(Response, Http10StreamedResponseIsCloseDelimited) {
  start();
  client("GET /stream HTTP/1.0\r\nHost: a\r\n\r\n");
  sent();
  handler(
      "T145:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:code,3:200#6:reason,2:OK,"
      "7:headers,34:30:12:Content-Type,10:text/plain,]]4:body,6:first\n,4:more,4:true!}");
  EXPECT_EQ(write(), "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nfirst\n");
  EXPECT_EQ(sent(), (std::vector<Sent>{router("handler",
                                              "T95:4:from,7:condure,2:id,5:0-0-0,3:seq,1:1#3:ext,15:5:multi,4:true!}"
                                              "4:type,6:credit,7:credits,1:6#}")}));
  handler("T55:4:from,7:handler,2:id,5:0-0-0,3:seq,1:1#4:body,5:last\n,}");
  EXPECT_EQ(write(), "last\n");
  EXPECT_EQ(sent(), std::vector<Sent>{});
  EXPECT_TRUE(session().closed());  // the close ends the body
  EXPECT_EQ(session().close_reason(), CloseReason::Done);
}

// Condure keeps such a connection open and the client cannot find the end;
// zedge closes it instead.
TEST_F(Response, Http10KeepAliveStreamedResponseIsStillCloseDelimited) {
  start();
  client("GET /stream HTTP/1.0\r\nHost: a\r\nConnection: keep-alive\r\n\r\n");
  sent();
  handler(
      "T97:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:code,3:200#6:reason,2:OK,"
      "4:body,6:first\n,4:more,4:true!}");
  EXPECT_EQ(write(), "HTTP/1.0 200 OK\r\n\r\nfirst\n");
  sent();
  handler("T55:4:from,7:handler,2:id,5:0-0-0,3:seq,1:1#4:body,5:last\n,}");
  EXPECT_EQ(write(), "last\n");
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(session().close_reason(), CloseReason::Done);
}

TEST_F(Response, HandlerContentLengthHonoured) {
  start();
  client("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
  sent();
  handler(
      "T138:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:code,3:200#6:reason,2:OK,"
      "7:headers,27:23:14:Content-Length,2:11,]]4:body,6:hello ,4:more,4:true!}");
  EXPECT_EQ(write(), "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello ");
  EXPECT_EQ(sent(), (std::vector<Sent>{router("handler",
                                              "T95:4:from,7:condure,2:id,5:0-0-0,3:seq,1:1#3:ext,15:5:multi,4:true!}"
                                              "4:type,6:credit,7:credits,1:6#}")}));
  handler("T55:4:from,7:handler,2:id,5:0-0-0,3:seq,1:1#4:body,5:world,}");
  EXPECT_EQ(write(), "world");
  EXPECT_EQ(sent(), std::vector<Sent>{});
  EXPECT_FALSE(session().closed());
}

TEST_F(Response, HandlerFramingAndConnectionHeadersAreReplaced) {
  start();
  client("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
  sent();
  handler(
      "T168:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:code,3:200#6:reason,2:OK,"
      "7:headers,75:10:3:X-A,1:1,]31:17:Transfer-Encoding,7:chunked,]22:10:Connection,5:close,]]"
      "4:body,2:hi,}");
  EXPECT_EQ(write(), "HTTP/1.1 200 OK\r\nX-A: 1\r\nContent-Length: 2\r\n\r\nhi");
  EXPECT_FALSE(session().closed());
}

TEST_F(Response, NoContentHasNoBodyAndNoFramingHeaders) {
  start();
  client("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
  sent();
  handler(
      "T164:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:code,3:204#6:reason,10:No Content,"
      "7:headers,74:35:10:Connection,17:Transfer-Encoding,]31:17:Transfer-Encoding,7:chunked,]]}");
  EXPECT_EQ(write(), "HTTP/1.1 204 No Content\r\n\r\n");
  EXPECT_FALSE(session().closed());
}

TEST_F(Response, HeadGetsContentLengthButNoBody) {
  start();
  client("HEAD /hello HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(sent(), (std::vector<Sent>{push("T215:4:from,7:condure,2:id,5:0-0-0,3:seq,1:0#3:ext,15:5:multi,4:true!}"
                                            "6:method,4:HEAD,3:uri,14:http://a/hello,7:headers,15:11:4:Host,1:a,]]"
                                            "7:credits,4:8192#6:stream,4:true!12:peer-address,9:127.0.0.1,"
                                            "9:peer-port,5:40000#}")}));
  handler(
      "T131:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:code,3:200#6:reason,2:OK,"
      "7:headers,34:30:12:Content-Type,10:text/plain,]]4:body,6:hello\n,}");
  EXPECT_EQ(write(), "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n\r\n");
  EXPECT_EQ(sent(), std::vector<Sent>{});
  EXPECT_FALSE(session().closed());
}

TEST_F(Response, HeadStreamedBodyIsDroppedAndItsCreditsReturnedAtOnce) {
  start();
  client("HEAD /hello HTTP/1.1\r\nHost: a\r\n\r\n");
  sent();
  handler(
      "T97:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:code,3:200#6:reason,2:OK,"
      "4:body,6:first\n,4:more,4:true!}");
  // Nothing of the body will be written, so its credits cannot wait for a write.
  EXPECT_EQ(sent(), (std::vector<Sent>{router("handler",
                                              "T95:4:from,7:condure,2:id,5:0-0-0,3:seq,1:1#3:ext,15:5:multi,4:true!}"
                                              "4:type,6:credit,7:credits,1:6#}")}));
  EXPECT_EQ(write(), "HTTP/1.1 200 OK\r\n\r\n");
  EXPECT_EQ(sent(), std::vector<Sent>{});
  handler("T55:4:from,7:handler,2:id,5:0-0-0,3:seq,1:1#4:body,5:last\n,}");
  EXPECT_FALSE(session().has_output());
  EXPECT_EQ(sent(), std::vector<Sent>{});
  EXPECT_FALSE(session().closed());
}

TEST_F(Response, ReplyWithoutSeqIsAccepted) {
  start();
  client("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
  sent();
  handler("T68:4:from,7:handler,2:id,5:0-0-0,4:code,3:200#6:reason,2:OK,4:body,1:x,}");
  EXPECT_EQ(write(), "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx");
  EXPECT_FALSE(session().closed());
}

TEST_F(Response, PipelinedRequestsAreHandledOneAfterTheOther) {
  start();
  client("GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(sent(), (std::vector<Sent>{push("T210:4:from,7:condure,2:id,5:0-0-0,3:seq,1:0#3:ext,15:5:multi,4:true!}"
                                            "6:method,3:GET,3:uri,10:http://a/a,7:headers,15:11:4:Host,1:a,]]"
                                            "7:credits,4:8192#6:stream,4:true!12:peer-address,9:127.0.0.1,"
                                            "9:peer-port,5:40000#}")}));
  EXPECT_EQ(unconsumed(), "GET /b HTTP/1.1\r\nHost: a\r\n\r\n");

  handler("T78:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:code,3:200#6:reason,2:OK,4:body,1:A,}");
  EXPECT_EQ(take(), "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nA");
  EXPECT_EQ(sent(), std::vector<Sent>{});  // not before the first response is written
  written();
  // A new id, seq 0 again.
  EXPECT_EQ(sent(), (std::vector<Sent>{push("T210:4:from,7:condure,2:id,5:0-0-1,3:seq,1:0#3:ext,15:5:multi,4:true!}"
                                            "6:method,3:GET,3:uri,10:http://a/b,7:headers,15:11:4:Host,1:a,]]"
                                            "7:credits,4:8192#6:stream,4:true!12:peer-address,9:127.0.0.1,"
                                            "9:peer-port,5:40000#}")}));
  EXPECT_EQ(unconsumed(), "");

  handler("T78:4:from,7:handler,2:id,5:0-0-1,3:seq,1:0#4:code,3:200#6:reason,2:OK,4:body,1:B,}");
  EXPECT_EQ(write(), "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nB");
  EXPECT_FALSE(session().closed());
}

TEST_F(Response, Http10KeepAlivePersistsUntilARequestWithoutIt) {
  start();
  client("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  // No Host: the uri names localhost.
  EXPECT_EQ(sent(), (std::vector<Sent>{push("T235:4:from,7:condure,2:id,5:0-0-0,3:seq,1:0#3:ext,15:5:multi,4:true!}"
                                            "6:method,3:GET,3:uri,18:http://localhost/a,"
                                            "7:headers,32:28:10:Connection,10:keep-alive,]]7:credits,4:8192#"
                                            "6:stream,4:true!12:peer-address,9:127.0.0.1,9:peer-port,5:40000#}")}));
  handler("T78:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:code,3:200#6:reason,2:OK,4:body,1:A,}");
  EXPECT_EQ(write(), "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nA");
  EXPECT_FALSE(session().closed());

  client("GET /b HTTP/1.0\r\n\r\n");
  // A request without headers has no headers field at all.
  EXPECT_EQ(sent(), (std::vector<Sent>{push("T189:4:from,7:condure,2:id,5:0-0-1,3:seq,1:0#3:ext,15:5:multi,4:true!}"
                                            "6:method,3:GET,3:uri,18:http://localhost/b,7:credits,4:8192#"
                                            "6:stream,4:true!12:peer-address,9:127.0.0.1,9:peer-port,5:40000#}")}));
  handler("T78:4:from,7:handler,2:id,5:0-0-1,3:seq,1:0#4:code,3:200#6:reason,2:OK,4:body,1:B,}");
  EXPECT_EQ(write(), "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nB");
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(session().close_reason(), CloseReason::Done);
}

TEST_F(Response, ConnectionCloseRequestClosesAfterResponse) {
  start();
  client("GET /a HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  sent();
  handler("T78:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:code,3:200#6:reason,2:OK,4:body,1:A,}");
  EXPECT_EQ(take(), "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\nA");
  EXPECT_FALSE(session().closed());  // not before it is written
  written();
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(session().close_reason(), CloseReason::Done);
}

}  // namespace
}  // namespace zedge::session::testing
