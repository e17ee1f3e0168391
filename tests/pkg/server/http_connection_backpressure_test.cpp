// Backpressure from the bridge: while the host is backlogged the connection leaves client
// bytes in its socket (so memory stays bounded) but still writes responses; once the host
// has room and resumes it, it reads again.
#include "connection_fixture.hpp"

namespace zedge::server::testing {
namespace {

using ConnectionBackpressure = ConnectionTest;

TEST_F(ConnectionBackpressure, BackloggedHostLeavesRequestUnreadUntilResumed) {
  host_.backlog = true;
  start();
  EXPECT_EQ(host_.waiting_for_room, std::vector<std::shared_ptr<HttpConnection>>{connection_});

  const std::string request = "GET /one HTTP/1.1\r\nHost: a\r\n\r\n";
  client_sends(request);
  run_ready_handlers();
  EXPECT_EQ(unread_by_connection(), static_cast<int>(request.size()));
  EXPECT_EQ(sent(), std::vector<Sent>{});

  host_.make_room();
  ASSERT_TRUE(run_until(packets_sent(1)));
  EXPECT_EQ(sent(), (std::vector<Sent>{push(get_request_packet("0-5-0", "http://a/one"))}));
  EXPECT_EQ(unread_by_connection(), 0);
}

TEST_F(ConnectionBackpressure, QueueFillingUpStopsReadsButNotWrites) {
  host_.backlogged_after_next_packet = true;
  start();
  client_sends("GET /one HTTP/1.1\r\nHost: a\r\n\r\n");
  ASSERT_TRUE(run_until(packets_sent(1)));
  EXPECT_EQ(sent(), (std::vector<Sent>{push(get_request_packet("0-5-0", "http://a/one"))}));
  EXPECT_EQ(host_.waiting_for_room.size(), 1U);

  // A pipelined request stays in the socket while the queue is full...
  const std::string second = "GET /two HTTP/1.1\r\nHost: a\r\n\r\n";
  client_sends(second);
  run_ready_handlers();
  EXPECT_EQ(unread_by_connection(), static_cast<int>(second.size()));

  // ...while the response to the first one is still written.
  zhttp::Packet response = from_handler("0-5-0", 0);
  response.code = 200;
  response.reason = "OK";
  response.body = "one";
  handler_sends(response);
  const std::string written = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none";
  EXPECT_EQ(client_reads(written.size()), written);
  run_ready_handlers();
  EXPECT_EQ(unread_by_connection(), static_cast<int>(second.size()));
  EXPECT_EQ(host_.waiting_for_room.size(), 1U);  // asked to be resumed once, not per event
  EXPECT_EQ(sent(), std::vector<Sent>{});

  host_.make_room();
  ASSERT_TRUE(run_until(packets_sent(1)));
  EXPECT_EQ(sent(), (std::vector<Sent>{push(get_request_packet("0-5-1", "http://a/two"))}));
  EXPECT_EQ(unread_by_connection(), 0);
}

}  // namespace
}  // namespace zedge::server::testing
