// The client leaving mid-request: the connection closes its socket, the handler hears
// `cancel` (or, when it has not spoken yet, the host remembers the id to cancel later),
// and the slot goes back to the host.
#include "connection_fixture.hpp"

namespace zedge::server::testing {
namespace {

using ConnectionClose = ConnectionTest;

TEST_F(ConnectionClose, ClientEofMidUploadCancelsTheHandlerAndReleasesTheSlot) {
  start();
  client_sends("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n01234");
  ASSERT_TRUE(run_until(packets_sent(1)));
  zhttp::Packet request = request_packet("0-5-0", "POST", "http://a/up", {{"Host", "a"}, {"Content-Length", "10"}});
  request.more = true;  // the body follows within the handler's credits
  EXPECT_EQ(sent(), (std::vector<Sent>{push(request)}));

  zhttp::Packet credit = from_handler("0-5-0", 0);
  credit.type = zhttp::PacketType::Credit;
  credit.credits = 100;
  handler_sends(credit);
  ASSERT_TRUE(run_until(packets_sent(1)));
  zhttp::Packet body = from_zedge("0-5-0", 1);
  body.body = "01234";
  body.more = true;
  EXPECT_EQ(sent(), (std::vector<Sent>{router("handler", body)}));

  client_stops_sending();
  ASSERT_TRUE(run_until(packets_sent(1)));
  zhttp::Packet cancel = from_zedge("0-5-0", 2);
  cancel.type = zhttp::PacketType::Cancel;
  EXPECT_EQ(sent(), (std::vector<Sent>{router("handler", cancel)}));
  EXPECT_TRUE(client_sees_eof());
  EXPECT_EQ(host_.released, (std::vector<Released>{{kSlot, session::Mode::Stream}}));
  EXPECT_EQ(host_.abandoned, std::vector<std::string>{});
  EXPECT_EQ(host_.lingering, std::vector<std::shared_ptr<HttpConnection>>{});
  const auto closed = counted().connections_closed[static_cast<std::size_t>(metrics::Protocol::Http)];
  EXPECT_EQ(closed[static_cast<std::size_t>(metrics::CloseKind::ClientGone)], 1U);
}

TEST_F(ConnectionClose, ClientEofBeforeTheHandlerSpokeLeavesTheIdToCancelLater) {
  start();
  client_sends("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n");
  ASSERT_TRUE(run_until(packets_sent(1)));
  sent();

  client_stops_sending();
  EXPECT_TRUE(client_sees_eof());
  EXPECT_EQ(sent(), std::vector<Sent>{});  // no handler address to send a cancel to yet
  EXPECT_EQ(host_.abandoned, std::vector<std::string>{"0-5-0"});
  EXPECT_EQ(host_.released, (std::vector<Released>{{kSlot, session::Mode::Stream}}));
}

}  // namespace
}  // namespace zedge::server::testing
