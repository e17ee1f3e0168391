// A handler's response body against its own Content-Length. Bytes past it would be read
// by the client as the start of the next response on a kept-alive connection (response
// splitting), and a body that ends short leaves the client waiting for the rest (or
// reading the next response as body): both end the connection, the client seeing a body
// cut short, never a byte past the length. Responses without a length of their own (HEAD,
// 204/304, chunked) are not checked.
#include "session_fixture.hpp"

namespace zedge::session::testing {
namespace {

using ResponseLength = SessionTest;

const std::string kCancelSeq1 =
    "T81:4:from,7:condure,2:id,5:0-0-0,3:seq,1:1#3:ext,15:5:multi,4:true!}4:type,6:cancel,}";
const std::string kCancelSeq2 =
    "T81:4:from,7:condure,2:id,5:0-0-0,3:seq,1:2#3:ext,15:5:multi,4:true!}4:type,6:cancel,}";

TEST_F(ResponseLength, BodyPastContentLengthInTheFirstPacketIsNotWritten) {
  start();
  client("GET /a HTTP/1.1\r\nHost: a\r\n\r\n");
  sent();
  handler(
      "T128:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:code,3:200#6:reason,2:OK,"
      "7:headers,26:22:14:Content-Length,1:5,]]4:body,10:helloEXTRA,}");
  EXPECT_EQ(sent(), (std::vector<Sent>{router("handler", kCancelSeq1)}));
  EXPECT_FALSE(session().closed());  // the head goes out first
  EXPECT_EQ(write(), "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(session().close_reason(), CloseReason::ProtocolError);
  EXPECT_EQ(sent(), std::vector<Sent>{});
}

TEST_F(ResponseLength, BodyPastContentLengthInALaterPacketIsNotWritten) {
  start();
  client("GET /a HTTP/1.1\r\nHost: a\r\n\r\n");
  sent();
  handler(
      "T134:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:code,3:200#6:reason,2:OK,"
      "7:headers,26:22:14:Content-Length,1:5,]]4:body,3:hel,4:more,4:true!}");
  EXPECT_EQ(take(), "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel");
  // Past the length while that write is under way: the rest of it still goes out, and no
  // credit follows the cancel.
  handler("T57:4:from,7:handler,2:id,5:0-0-0,3:seq,1:1#4:body,7:loEXTRA,}");
  EXPECT_EQ(sent(), (std::vector<Sent>{router("handler", kCancelSeq1)}));
  EXPECT_FALSE(session().closed());
  EXPECT_FALSE(session().has_output());
  written();
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(session().close_reason(), CloseReason::ProtocolError);
  EXPECT_EQ(sent(), std::vector<Sent>{});
}

TEST_F(ResponseLength, MoreBodyAfterTheWholeLengthCloses) {
  start();
  client("GET /a HTTP/1.1\r\nHost: a\r\n\r\n");
  sent();
  handler(
      "T136:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:code,3:200#6:reason,2:OK,"
      "7:headers,26:22:14:Content-Length,1:5,]]4:body,5:hello,4:more,4:true!}");
  EXPECT_EQ(write(), "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
  sent();  // the credit for "hello"
  handler("T65:4:from,7:handler,2:id,5:0-0-0,3:seq,1:1#4:body,1:X,4:more,4:true!}");
  EXPECT_FALSE(session().has_output());
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(session().close_reason(), CloseReason::ProtocolError);
  EXPECT_EQ(sent(), (std::vector<Sent>{router("handler", kCancelSeq2)}));
}

TEST_F(ResponseLength, EndShortOfContentLengthClosesAfterWhatCame) {
  start();
  client("GET /a HTTP/1.1\r\nHost: a\r\n\r\n");
  sent();
  handler(
      "T120:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:code,3:200#6:reason,2:OK,"
      "7:headers,26:22:14:Content-Length,1:5,]]4:body,3:hel,}");
  EXPECT_FALSE(session().closed());
  EXPECT_EQ(write(), "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel");
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(session().close_reason(), CloseReason::ProtocolError);
  EXPECT_EQ(sent(), std::vector<Sent>{});  // the handler ended the session itself
}

TEST_F(ResponseLength, EmptyLastPacketShortOfContentLengthCloses) {
  start();
  client("GET /a HTTP/1.1\r\nHost: a\r\n\r\n");
  sent();
  handler(
      "T134:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:code,3:200#6:reason,2:OK,"
      "7:headers,26:22:14:Content-Length,1:5,]]4:body,3:hel,4:more,4:true!}");
  EXPECT_EQ(write(), "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel");
  sent();  // the credit for "hel"
  // A pipelined request behind it is never started.
  client("GET /b HTTP/1.1\r\nHost: a\r\n\r\n");
  handler("T50:4:from,7:handler,2:id,5:0-0-0,3:seq,1:1#4:body,0:,}");
  EXPECT_FALSE(session().has_output());
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(session().close_reason(), CloseReason::ProtocolError);
  EXPECT_EQ(sent(), std::vector<Sent>{});
}

TEST_F(ResponseLength, HeadIsNotCheckedAgainstItsContentLength) {
  start();
  client("HEAD /a HTTP/1.1\r\nHost: a\r\n\r\n");
  sent();
  handler(
      "T122:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:code,3:200#6:reason,2:OK,"
      "7:headers,26:22:14:Content-Length,1:3,]]4:body,5:hello,}");
  EXPECT_EQ(write(), "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n");
  EXPECT_FALSE(session().closed());
  EXPECT_EQ(sent(), std::vector<Sent>{});
}

TEST_F(ResponseLength, NotModifiedIsNotCheckedAgainstItsContentLength) {
  start();
  client("GET /a HTTP/1.1\r\nHost: a\r\n\r\n");
  sent();
  handler(
      "T120:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:code,3:304#6:reason,12:Not Modified,"
      "7:headers,28:24:14:Content-Length,3:100,]]}");
  EXPECT_EQ(write(), "HTTP/1.1 304 Not Modified\r\nContent-Length: 100\r\n\r\n");
  EXPECT_FALSE(session().closed());
  EXPECT_EQ(sent(), std::vector<Sent>{});
}

TEST_F(ResponseLength, ChunkedResponseHasNoLengthToKeep) {
  start();
  client("GET /a HTTP/1.1\r\nHost: a\r\n\r\n");
  sent();
  handler(
      "T93:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:code,3:200#6:reason,2:OK,4:body,2:ab,"
      "4:more,4:true!}");
  handler("T55:4:from,7:handler,2:id,5:0-0-0,3:seq,1:1#4:body,5:cdefg,}");
  EXPECT_EQ(write(), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n5\r\ncdefg\r\n0\r\n\r\n");
  EXPECT_FALSE(session().closed());
  EXPECT_EQ(sent(), std::vector<Sent>{});
}

}  // namespace
}  // namespace zedge::session::testing
