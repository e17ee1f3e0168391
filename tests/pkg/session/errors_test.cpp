// How sessions end: handler cancel/error, handler protocol errors (bad seq, credit
// overrun), the client leaving, shutdown, and the
// text/plain answers zedge gives malformed requests.
#include "session_fixture.hpp"

namespace zedge::session::testing {
namespace {

using HandlerEnds = SessionTest;

TEST_F(HandlerEnds, CancelClosesWithoutBytes) {
  start();
  client("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
  sent();
  handler("T56:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:type,6:cancel,}");
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(session().close_reason(), CloseReason::HandlerEnded);
  EXPECT_FALSE(session().has_output());
  EXPECT_EQ(sent(), std::vector<Sent>{});  // no cancel back
}

TEST_F(HandlerEnds, ErrorClosesWithoutBytes) {
  start();
  client("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
  sent();
  handler("T82:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:type,5:error,9:condition,11:bad-request,}");
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(session().close_reason(), CloseReason::HandlerEnded);
  EXPECT_FALSE(session().has_output());
  EXPECT_EQ(sent(), std::vector<Sent>{});
}

// The bridge could not deliver a packet to this session's handler: its identity left the
// ROUTER (the process died). Nothing is sent to it; the client is not kept waiting.
TEST_F(HandlerEnds, HandlerGoneBeforeItsResponseGets502) {
  start();
  client("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc");
  sent();
  handler("T72:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:type,6:credit,7:credits,3:100#}");
  EXPECT_EQ(sent().size(), 1u);  // the body, which is what could not be delivered
  session().on_handler_unreachable();
  const std::string out = write();
  EXPECT_EQ(out.rfind("HTTP/1.1 502 Bad Gateway\r\n", 0), 0u) << out;
  EXPECT_NE(out.find("\r\n\r\nThe handler of this request went away.\n"), std::string::npos) << out;
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(session().close_reason(), CloseReason::HandlerGone);
  EXPECT_EQ(sent(), std::vector<Sent>{});
}

TEST_F(HandlerEnds, HandlerGoneMidResponseCutsItShort) {
  start();
  client("GET /stream HTTP/1.1\r\nHost: a\r\n\r\n");
  sent();
  handler(
      "T92:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:code,3:200#6:reason,2:OK,4:body,1:a,"
      "4:more,4:true!}");
  EXPECT_EQ(write(), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n");
  sent();
  session().on_handler_unreachable();
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(session().close_reason(), CloseReason::HandlerGone);
  EXPECT_FALSE(session().has_output());  // no last chunk: the client sees it cut short
  EXPECT_EQ(sent(), std::vector<Sent>{});
}

TEST_F(HandlerEnds, HandlerGoneAfterAFinishedResponseChangesNothing) {
  start();
  client("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
  sent();
  handler("T78:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:code,3:200#6:reason,2:OK,4:body,1:x,}");
  session().on_handler_unreachable();
  EXPECT_EQ(write(), "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx");
  EXPECT_FALSE(session().closed());    // kept alive for the next request
  session().on_handler_unreachable();  // between requests: no handler to lose
  EXPECT_FALSE(session().closed());
}

TEST_F(HandlerEnds, CancelMidResponseWritesNothingMore) {
  start();
  client("GET /stream HTTP/1.1\r\nHost: a\r\n\r\n");
  sent();
  handler(
      "T92:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:code,3:200#6:reason,2:OK,4:body,1:a,"
      "4:more,4:true!}");
  EXPECT_EQ(write(), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n");
  sent();
  handler("T56:4:from,7:handler,2:id,5:0-0-0,3:seq,1:1#4:type,6:cancel,}");
  EXPECT_TRUE(session().closed());
  EXPECT_FALSE(session().has_output());  // no last chunk
  EXPECT_EQ(sent(), std::vector<Sent>{});
}

TEST_F(HandlerEnds, SeqMismatchClosesWithoutCancel) {
  start();
  client("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
  sent();
  // Condure closed the client when a response came with seq 5 instead of 0.
  handler("T78:4:from,7:handler,2:id,5:0-0-0,3:seq,1:5#4:code,3:200#6:reason,2:OK,4:body,1:x,}");
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(session().close_reason(), CloseReason::ProtocolError);
  EXPECT_FALSE(session().has_output());
  EXPECT_EQ(sent(), std::vector<Sent>{});
}

TEST_F(HandlerEnds, SeqMustAdvanceWithEveryPacket) {
  start();
  client("GET /stream HTTP/1.1\r\nHost: a\r\n\r\n");
  sent();
  handler("T81:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:code,3:200#6:reason,2:OK,4:more,4:true!}");
  handler("T69:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:body,5:again,4:more,4:true!}");  // seq 0 repeated
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(session().close_reason(), CloseReason::ProtocolError);
}

// The first packet offered 64 credits (the buffer size); the handler may send no more
// body than it was offered and given back.
TEST_F(HandlerEnds, CreditOverrunClosesWithProtocolError) {
  settings_.buffer_size_bytes = 64;
  start();
  client("GET /stream HTTP/1.1\r\nHost: a\r\n\r\n");
  sent();
  handler(
      "T152:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:code,3:200#6:reason,2:OK,"
      "4:body,60:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,4:more,4:true!}");
  EXPECT_EQ(write(), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3c\r\n" + std::string(60, 'a') + "\r\n");
  EXPECT_EQ(sent(), (std::vector<Sent>{router("handler",
                                              "T96:4:from,7:condure,2:id,5:0-0-0,3:seq,1:1#3:ext,15:5:multi,4:true!}"
                                              "4:type,6:credit,7:credits,2:60#}")}));
  // 64 credits again: exactly 64 bytes are fine...
  handler(
      "T129:4:from,7:handler,2:id,5:0-0-0,3:seq,1:1#"
      "4:body,64:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb,"
      "4:more,4:true!}");
  EXPECT_FALSE(session().closed());
  // ...one more byte before they come back is not.
  handler("T65:4:from,7:handler,2:id,5:0-0-0,3:seq,1:2#4:body,1:c,4:more,4:true!}");
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(session().close_reason(), CloseReason::CreditOverrun);
  // Condure 1.9.1 tells the handler with a cancel (tests/integration/test_response_credits.py).
  EXPECT_EQ(sent(), (std::vector<Sent>{router("handler",
                                              "T81:4:from,7:condure,2:id,5:0-0-0,3:seq,1:2#3:ext,15:5:multi,4:true!}"
                                              "4:type,6:cancel,}")}));
}

TEST_F(HandlerEnds, FirstPacketOverCreditsCloses) {
  settings_.buffer_size_bytes = 64;
  start();
  client("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
  sent();
  handler(
      "T143:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:code,3:200#6:reason,2:OK,"
      "4:body,65:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,}");
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(session().close_reason(), CloseReason::CreditOverrun);
}

TEST_F(HandlerEnds, UnwritableResponseCloses) {
  start();
  client("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
  sent();
  handler(
      "T120:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:code,3:200#6:reason,2:OK,"
      "7:headers,28:24:14:Content-Length,3:abc,]]4:body,1:x,}");
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(session().close_reason(), CloseReason::ProtocolError);
  EXPECT_FALSE(session().has_output());
}

using ClientLeaves = SessionTest;

TEST_F(ClientLeaves, BeforeHandlerIsKnownNoCancel) {
  start();
  client("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
  sent();
  client_closes();
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(session().close_reason(), CloseReason::ClientGone);
  EXPECT_EQ(sent(), std::vector<Sent>{});  // no address to send a cancel to
}

TEST_F(ClientLeaves, MidResponseSendsCancel) {
  start();
  client("GET /stream HTTP/1.1\r\nHost: a\r\n\r\n");
  sent();
  handler(
      "T92:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:code,3:200#6:reason,2:OK,4:body,1:a,"
      "4:more,4:true!}");
  EXPECT_EQ(write(), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n");
  EXPECT_EQ(sent(), (std::vector<Sent>{router("handler",
                                              "T95:4:from,7:condure,2:id,5:0-0-0,3:seq,1:1#3:ext,15:5:multi,4:true!}"
                                              "4:type,6:credit,7:credits,1:1#}")}));
  client_closes();
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(session().close_reason(), CloseReason::ClientGone);
  EXPECT_EQ(sent(), (std::vector<Sent>{router("handler",
                                              "T81:4:from,7:condure,2:id,5:0-0-0,3:seq,1:2#3:ext,15:5:multi,4:true!}"
                                              "4:type,6:cancel,}")}));
}

TEST_F(ClientLeaves, MidUploadSendsCancel) {
  start();
  client("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n01234");
  sent();
  handler("T72:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:type,6:credit,7:credits,3:100#}");
  EXPECT_EQ(sent(), (std::vector<Sent>{router("handler",
                                              "T94:4:from,7:condure,2:id,5:0-0-0,3:seq,1:1#3:ext,15:5:multi,4:true!}"
                                              "4:body,5:01234,4:more,4:true!}")}));
  client_closes();
  EXPECT_EQ(session().close_reason(), CloseReason::ClientGone);
  EXPECT_EQ(sent(), (std::vector<Sent>{router("handler",
                                              "T81:4:from,7:condure,2:id,5:0-0-0,3:seq,1:2#3:ext,15:5:multi,4:true!}"
                                              "4:type,6:cancel,}")}));
}

TEST_F(ClientLeaves, BetweenRequestsIsDone) {
  start();
  client("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
  sent();
  handler("T78:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:code,3:200#6:reason,2:OK,4:body,1:x,}");
  EXPECT_EQ(write(), "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx");
  client_closes();
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(session().close_reason(), CloseReason::Done);
  EXPECT_EQ(sent(), std::vector<Sent>{});
}

TEST_F(ClientLeaves, WhileFinishedResponseIsWrittenClosesOnceWritten) {
  start();
  client("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
  sent();
  handler("T78:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:code,3:200#6:reason,2:OK,4:body,1:x,}");
  EXPECT_EQ(take(), "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx");
  client_closes();  // read side closed; the response is still on its way
  EXPECT_FALSE(session().closed());
  written();
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(session().close_reason(), CloseReason::Done);
  EXPECT_EQ(sent(), std::vector<Sent>{});
}

using Shutdown = SessionTest;

TEST_F(Shutdown, CancelsOpenSession) {
  start();
  client("GET /stream HTTP/1.1\r\nHost: a\r\n\r\n");
  sent();
  handler("T81:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:code,3:200#6:reason,2:OK,4:more,4:true!}");
  session().shutdown();
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(session().close_reason(), CloseReason::Shutdown);
  EXPECT_EQ(sent(), (std::vector<Sent>{router("handler",
                                              "T81:4:from,7:condure,2:id,5:0-0-0,3:seq,1:1#3:ext,15:5:multi,4:true!}"
                                              "4:type,6:cancel,}")}));
}

TEST_F(Shutdown, NoCancelWithoutKnownHandlerOrOpenRequest) {
  start();
  session().shutdown();
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(session().close_reason(), CloseReason::Shutdown);
  EXPECT_EQ(sent(), std::vector<Sent>{});
}

// ---------------------------------------------------------------- malformed requests

using ClientErrors = SessionTest;

TEST_F(ClientErrors, AmbiguousFramingGets400AndClosesAfterOutput) {
  start();
  client("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\nhello");
  EXPECT_EQ(sent(), std::vector<Sent>{});
  EXPECT_TRUE(session().close_after_output());
  EXPECT_FALSE(session().closed());
  EXPECT_EQ(take(),
            "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n"
            "Content-Length: 59\r\n\r\nContent-Length repeated or combined with Transfer-Encoding\n");
  // Nothing more is read once the answer is decided.
  client("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(sent(), std::vector<Sent>{});
  EXPECT_FALSE(session().has_output());
  written();
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(session().close_reason(), CloseReason::ClientError);
}

TEST_F(ClientErrors, MissingHostGets400) {
  start();
  client("GET /hello HTTP/1.1\r\n\r\n");
  EXPECT_EQ(write(),
            "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n"
            "Content-Length: 37\r\n\r\nHTTP/1.1 request without Host header\n");
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(sent(), std::vector<Sent>{});
}

TEST_F(ClientErrors, LongTargetGets414) {
  start();
  client("GET /" + std::string(4100, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(write(),
            "HTTP/1.1 414 URI Too Long\r\nContent-Type: text/plain\r\nConnection: close\r\n"
            "Content-Length: 38\r\n\r\nrequest-target longer than 4096 bytes\n");
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(sent(), std::vector<Sent>{});
}

// The target fits, but the uri rebuilt with the Host is over Condure's 4096 bytes.
TEST_F(ClientErrors, LongRebuiltUriGets414) {
  start();
  client("GET /" + std::string(4089, 'a') + " HTTP/1.1\r\nHost: example.com\r\n\r\n");
  EXPECT_EQ(write(),
            "HTTP/1.1 414 URI Too Long\r\nContent-Type: text/plain\r\nConnection: close\r\n"
            "Content-Length: 45\r\n\r\nRequest URI exceeds the limit of 4096 bytes.\n");
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(sent(), std::vector<Sent>{});
}

TEST_F(ClientErrors, HeadOverBufferSizeGets431) {
  start();
  client("GET /hello HTTP/1.1\r\nHost: a\r\nX-Big: " + std::string(9000, 'b'));
  EXPECT_EQ(write(),
            "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: text/plain\r\nConnection: close\r\n"
            "Content-Length: 36\r\n\r\nrequest head larger than 8192 bytes\n");
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(sent(), std::vector<Sent>{});
}

TEST_F(ClientErrors, TooManyHeadersGets431) {
  start();
  std::string request = "GET /hello HTTP/1.1\r\nHost: a\r\n";
  for (int i = 0; i < 64; ++i) request += "X-" + std::to_string(i) + ": v\r\n";
  client(request + "\r\n");
  EXPECT_EQ(write(),
            "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: text/plain\r\nConnection: close\r\n"
            "Content-Length: 27\r\n\r\nmore than 64 header fields\n");
  EXPECT_TRUE(session().closed());
}

TEST_F(ClientErrors, UnknownTransferCodingGets501) {
  start();
  client("POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n");
  EXPECT_EQ(write(),
            "HTTP/1.1 501 Not Implemented\r\nContent-Type: text/plain\r\nConnection: close\r\n"
            "Content-Length: 28\r\n\r\nunsupported transfer coding\n");
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(sent(), std::vector<Sent>{});
}

TEST_F(ClientErrors, Http10RequestIsAnsweredInHttp10) {
  start();
  client("POST /up HTTP/1.0\r\nTransfer-Encoding: gzip\r\n\r\n");
  EXPECT_EQ(write(),
            "HTTP/1.0 501 Not Implemented\r\nContent-Type: text/plain\r\n"
            "Content-Length: 28\r\n\r\nunsupported transfer coding\n");
  EXPECT_TRUE(session().closed());
}

TEST_F(ClientErrors, UnsupportedVersionGets505) {
  start();
  client("GET /hello HTTP/1.2\r\nHost: a\r\n\r\n");
  EXPECT_EQ(write(),
            "HTTP/1.1 505 HTTP Version Not Supported\r\nContent-Type: text/plain\r\nConnection: close\r\n"
            "Content-Length: 26\r\n\r\nHTTP/1.2 is not supported\n");
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(sent(), std::vector<Sent>{});
}

TEST_F(ClientErrors, BadPipelinedRequestAnsweredAfterThePreviousResponse) {
  start();
  client("GET /a HTTP/1.1\r\nHost: a\r\n\r\nBAD\r\n\r\n");
  EXPECT_EQ(sent(), (std::vector<Sent>{push("T210:4:from,7:condure,2:id,5:0-0-0,3:seq,1:0#3:ext,15:5:multi,4:true!}"
                                            "6:method,3:GET,3:uri,10:http://a/a,7:headers,15:11:4:Host,1:a,]]"
                                            "7:credits,4:8192#6:stream,4:true!12:peer-address,9:127.0.0.1,"
                                            "9:peer-port,5:40000#}")}));
  EXPECT_FALSE(session().has_output());
  handler("T78:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:code,3:200#6:reason,2:OK,4:body,1:A,}");
  EXPECT_EQ(write(), "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nA");
  EXPECT_EQ(write(),
            "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n"
            "Content-Length: 28\r\n\r\nunknown or malformed method\n");
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(session().close_reason(), CloseReason::ClientError);
  EXPECT_EQ(sent(), std::vector<Sent>{});
}

// BUG (HttpSession::answer_error): a malformed request body after the handler learned of
// the request ends the connection, but the handler is never told; it keeps the session
// until its own 60 s expiry. Condure sends `cancel` on local errors, as
// HttpSession does for a client that leaves. Observed: the 400 only, no packet.
TEST_F(ClientErrors, BadChunkAfterHandlerIsKnownSendsCancel) {
  start();
  client("POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
  sent();
  handler("T72:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:type,6:credit,7:credits,3:100#}");
  EXPECT_EQ(sent(), (std::vector<Sent>{router("handler",
                                              "T94:4:from,7:condure,2:id,5:0-0-0,3:seq,1:1#3:ext,15:5:multi,4:true!}"
                                              "4:body,5:hello,4:more,4:true!}")}));
  client("zz\r\n");
  EXPECT_EQ(write(),
            "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n"
            "Content-Length: 19\r\n\r\ninvalid chunk size\n");
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(sent(), (std::vector<Sent>{router("handler",
                                              "T81:4:from,7:condure,2:id,5:0-0-0,3:seq,1:2#3:ext,15:5:multi,4:true!}"
                                              "4:type,6:cancel,}")}));
}

// BUG (HttpSession::answer_error): when the handler has already started the response, a
// malformed request body makes zedge append a complete 400 response after the partial
// 200 (the client reads it as chunk data, or as garbage). Once a response has begun the
// only honest ending is to close without more bytes, and to cancel the handler.
// Observed: "HTTP/1.1 400 Bad Request..." appended to the output, no cancel.
TEST_F(ClientErrors, BadChunkAfterResponseStartedWritesNoErrorResponse) {
  start();
  client("POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n");
  sent();
  handler(
      "T109:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:code,3:200#6:reason,2:OK,4:body,2:ok,"
      "4:more,4:true!7:credits,3:100#}");
  EXPECT_EQ(write(), "HTTP/1.1 200 OK\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n");
  EXPECT_EQ(sent(), (std::vector<Sent>{router("handler",
                                              "T95:4:from,7:condure,2:id,5:0-0-0,3:seq,1:1#3:ext,15:5:multi,4:true!}"
                                              "4:type,6:credit,7:credits,1:2#}")}));
  client("zz\r\n");
  EXPECT_FALSE(session().has_output());
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(sent(), (std::vector<Sent>{router("handler",
                                              "T81:4:from,7:condure,2:id,5:0-0-0,3:seq,1:2#3:ext,15:5:multi,4:true!}"
                                              "4:type,6:cancel,}")}));
}

}  // namespace
}  // namespace zedge::session::testing
