// The connection's loop in both directions: client bytes read off the socket become the
// session's ZHTTP packets at the host, and a handler's response reaches the client's socket
// byte for byte, with credits once written and the next request on the same connection.
#include "connection_fixture.hpp"

namespace zedge::server::testing {
namespace {

using ConnectionIo = ConnectionTest;

TEST_F(ConnectionIo, ClientRequestBecomesRequestPacket) {
  start();
  const std::string request = "GET /one HTTP/1.1\r\nHost: a\r\n\r\n";
  client_sends(request);
  ASSERT_TRUE(run_until(packets_sent(1)));
  const std::vector<Sent> packets = sent();
  EXPECT_EQ(packets, (std::vector<Sent>{push(get_request_packet("0-5-0", "http://a/one"))}));
  // Once written out in full, as the handler receives it.
  ASSERT_EQ(packets.size(), 1U);
  EXPECT_EQ(packets[0].frame,
            "T212:4:from,7:condure,2:id,5:0-5-0,3:seq,1:0#3:ext,15:5:multi,4:true!}"
            "6:method,3:GET,3:uri,12:http://a/one,7:headers,15:11:4:Host,1:a,]]"
            "7:credits,4:8192#6:stream,4:true!12:peer-address,9:127.0.0.1,9:peer-port,5:40000#}");
  EXPECT_EQ(counted().client_received_bytes, request.size());
  EXPECT_EQ(unread_by_connection(), 0);
}

TEST_F(ConnectionIo, RequestHeadInTwoReadsBecomesOnePacket) {
  start();
  client_sends("GET /one HTTP/1.1\r\nHo");
  run_ready_handlers();
  EXPECT_EQ(unread_by_connection(), 0);  // read, and held until the head is complete
  EXPECT_EQ(sent(), std::vector<Sent>{});
  client_sends("st: a\r\n\r\n");
  ASSERT_TRUE(run_until(packets_sent(1)));
  EXPECT_EQ(sent(), (std::vector<Sent>{push(get_request_packet("0-5-0", "http://a/one"))}));
}

// Body bytes wait in the connection until the handler has given credits; bytes read
// meanwhile join them.
TEST_F(ConnectionIo, BodyReadBeforeCreditsIsKeptAcrossReads) {
  start();
  client_sends("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n01234");
  ASSERT_TRUE(run_until(packets_sent(1)));
  sent();
  client_sends("56789");
  run_ready_handlers();
  EXPECT_EQ(unread_by_connection(), 0);
  EXPECT_EQ(sent(), std::vector<Sent>{});

  zhttp::Packet credit = from_handler("0-5-0", 0);
  credit.type = zhttp::PacketType::Credit;
  credit.credits = 100;
  handler_sends(credit);
  ASSERT_TRUE(run_until(packets_sent(1)));
  zhttp::Packet body = from_zedge("0-5-0", 1);
  body.body = "0123456789";  // all of it, so no `more`
  EXPECT_EQ(sent(), (std::vector<Sent>{router("handler", body)}));
}

TEST_F(ConnectionIo, ResponseIsWrittenCreditedAndTheConnectionKeptAlive) {
  start();
  client_sends("GET /stream HTTP/1.1\r\nHost: a\r\n\r\n");
  ASSERT_TRUE(run_until(packets_sent(1)));
  sent();

  zhttp::Packet first = from_handler("0-5-0", 0);
  first.code = 200;
  first.reason = "OK";
  first.headers = {{"Content-Type", "text/plain"}};
  first.body = "first\n";
  first.more = true;
  handler_sends(first);
  const std::string head_and_first =
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nfirst\n\r\n";
  EXPECT_EQ(client_reads(head_and_first.size()), head_and_first);
  // The write completed: the body bytes written go back to the handler as credits.
  ASSERT_TRUE(run_until(packets_sent(1)));
  zhttp::Packet credit = from_zedge("0-5-0", 1);
  credit.type = zhttp::PacketType::Credit;
  credit.credits = 6;
  EXPECT_EQ(sent(), (std::vector<Sent>{router("handler", credit)}));

  zhttp::Packet last = from_handler("0-5-0", 1);
  last.body = "last\n";
  handler_sends(last);
  const std::string rest = "5\r\nlast\n\r\n0\r\n\r\n";
  EXPECT_EQ(client_reads(rest.size()), rest);
  run_ready_handlers();  // the write's completion
  EXPECT_EQ(counted().client_sent_bytes, head_and_first.size() + rest.size());

  // Keep-alive: the next request on the same connection gets the next id.
  client_sends("GET /two HTTP/1.1\r\nHost: a\r\n\r\n");
  ASSERT_TRUE(run_until(packets_sent(1)));
  EXPECT_EQ(sent(), (std::vector<Sent>{push(get_request_packet("0-5-1", "http://a/two"))}));
  EXPECT_EQ(host_.released, std::vector<Released>{});
}

}  // namespace
}  // namespace zedge::server::testing
