// The connection at a WebSocket upgrade: when the handler accepts, the connection swaps its
// HTTP phase for the WebSocket phase, and the very next client bytes are read as frames.
#include "connection_fixture.hpp"

namespace zedge::server::testing {
namespace {

using ConnectionUpgrade = ConnectionTest;

TEST_F(ConnectionUpgrade, AcceptedUpgradeSwitchesToWebSocketFrames) {
  start();
  client_sends(
      "GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
  ASSERT_TRUE(run_until(packets_sent(1)));
  sent();
  EXPECT_FALSE(connection_->session().is_websocket());

  zhttp::Packet accept = from_handler("0-5-0", 0);
  accept.code = 101;
  accept.reason = "Switching Protocols";
  accept.credits = 1000;
  handler_sends(accept);
  EXPECT_TRUE(connection_->session().is_websocket());
  const std::string head =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
  EXPECT_EQ(client_reads(head.size()), head);
  EXPECT_EQ(counted().connections_upgraded, 1U);

  // A masked text frame "hi" (RFC 6455 §5.7: mask 37 fa 21 3d).
  client_sends(std::string("\x81\x82\x37\xfa\x21\x3d\x5f\x93", 8));
  ASSERT_TRUE(run_until(packets_sent(1)));
  zhttp::Packet message = from_zedge("0-5-0", 1);
  message.content_type = "text";
  message.body = "hi";
  EXPECT_EQ(sent(), (std::vector<Sent>{router("handler", message)}));
  EXPECT_EQ(host_.released, std::vector<Released>{});
}

}  // namespace
}  // namespace zedge::server::testing
