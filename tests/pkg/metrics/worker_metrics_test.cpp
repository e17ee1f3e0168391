// WorkerMetrics counts on one thread, add() sums workers into a MetricsSnapshot.
#include "metrics/worker_metrics.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace zedge::metrics {
namespace {

MetricsSnapshot snapshot_of(const WorkerMetrics& a, const WorkerMetrics& b) {
  MetricsSnapshot s;
  add(s, a);
  add(s, b);
  return s;
}

TEST(WorkerMetrics, CountersOfTwoWorkersAddUp) {
  WorkerMetrics a;
  WorkerMetrics b;
  a.count_accepted();
  b.count_accepted();
  b.count_accepted();
  a.connection_opened(Protocol::Http);
  b.connection_opened(Protocol::Http);
  a.connection_closed(Protocol::Http, CloseKind::ClientGone);
  b.connection_closed(Protocol::Http, CloseKind::ClientGone);
  a.bytes_in(100);
  b.bytes_in(23);
  a.bytes_out(7);
  b.bytes_out(1000);
  a.ws_message(MessageDirection::FromClient);
  b.ws_message(MessageDirection::ToClient);
  b.ws_message(MessageDirection::ToClient);
  a.zhttp_packet(PacketDirection::ToHandler, PacketKind::Data);
  b.zhttp_packet(PacketDirection::ToHandler, PacketKind::Data);
  b.zhttp_packet(PacketDirection::FromHandler, PacketKind::KeepAlive);
  a.credit_stall();

  const MetricsSnapshot s = snapshot_of(a, b);
  EXPECT_EQ(s.connections_accepted, 3U);
  EXPECT_EQ(s.connections_opened[0], 2U);
  EXPECT_EQ(s.connections_closed[0][static_cast<std::size_t>(CloseKind::ClientGone)], 2U);
  EXPECT_EQ(s.client_received_bytes, 123U);
  EXPECT_EQ(s.client_sent_bytes, 1007U);
  EXPECT_EQ(s.websocket_messages[0], 1U);
  EXPECT_EQ(s.websocket_messages[1], 2U);
  EXPECT_EQ(s.zhttp_packets[0][static_cast<std::size_t>(PacketKind::Data)], 2U);
  EXPECT_EQ(s.zhttp_packets[1][static_cast<std::size_t>(PacketKind::KeepAlive)], 1U);
  EXPECT_EQ(s.zhttp_packets[1][static_cast<std::size_t>(PacketKind::Data)], 0U);
  EXPECT_EQ(s.credit_stalls, 1U);
}

TEST(WorkerMetrics, HistogramBucketsAreInclusiveAndSumIsExactMicroseconds) {
  WorkerMetrics w;
  w.request_finished(200, 0.0);                             // first bucket
  w.request_finished(200, 0.005);                           // exactly on the first bound: still the first (`le`)
  w.request_finished(204, 0.0051);                          // second
  w.request_finished(404, std::chrono::milliseconds(250));  // on the 0.25 bound
  w.request_finished(503, 60.0);                            // last finite bound
  w.request_finished(500, 61.5);                            // +Inf
  w.request_finished(200, -1.0);                            // a clock step backwards counts as 0

  MetricsSnapshot s;
  add(s, w);
  const Counts<kDurationBucketCount> expected = {3, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 1};
  EXPECT_EQ(s.duration_buckets, expected);
  EXPECT_EQ(s.duration_count(), 7U);
  EXPECT_EQ(s.duration_sum_us, 5'000U + 5'100U + 250'000U + 60'000'000U + 61'500'000U);
  EXPECT_EQ(s.requests[1], 4U);  // 2xx
  EXPECT_EQ(s.requests[3], 1U);  // 4xx
  EXPECT_EQ(s.requests[4], 2U);  // 5xx
  EXPECT_EQ(s.requests_total(), 7U);
}

TEST(WorkerMetrics, StatusOutsideOneToFiveHundredsIsOther) {
  WorkerMetrics w;
  w.request_finished(101, 0.001);
  w.request_finished(399, 0.001);
  w.request_finished(600, 0.001);
  w.request_finished(999, 0.001);
  w.request_finished(0, 0.001);
  MetricsSnapshot s;
  add(s, w);
  const Counts<kStatusClassCount> expected = {1, 0, 1, 0, 0, 3};
  EXPECT_EQ(s.requests, expected);
}

TEST(WorkerMetrics, ActiveConnectionsFollowOpensUpgradesAndCloses) {
  WorkerMetrics w;
  for (int i = 0; i < 5; ++i) w.connection_opened(Protocol::Http);
  w.connection_upgraded();
  w.connection_upgraded();
  w.connection_closed(Protocol::Http, CloseKind::Done);
  w.connection_closed(Protocol::WebSocket, CloseKind::Drained);
  MetricsSnapshot s;
  add(s, w);
  EXPECT_EQ(s.connections_active(Protocol::Http), 2U);
  EXPECT_EQ(s.connections_active(Protocol::WebSocket), 1U);
  EXPECT_EQ(s.connections_upgraded, 2U);

  s.connections_active_override = Counts<kProtocolCount>{7, 9};
  EXPECT_EQ(s.connections_active(Protocol::Http), 7U);
  EXPECT_EQ(s.connections_active(Protocol::WebSocket), 9U);
}

TEST(WorkerMetrics, ActiveNeverGoesBelowZero) {
  MetricsSnapshot s;
  s.connections_closed[0][0] = 3;  // closes read after opens moved on
  s.connections_opened[0] = 2;
  EXPECT_EQ(s.connections_active(Protocol::Http), 0U);
}

// One writer, one concurrent reader: the reader sees a growing count and the final sum.
TEST(WorkerMetrics, ReadWhileAWorkerCounts) {
  WorkerMetrics w;
  constexpr std::uint64_t kBumps = 200'000;
  std::thread writer([&] {
    for (std::uint64_t i = 0; i < kBumps; ++i) w.bytes_in(1);
  });
  std::uint64_t last = 0;
  for (int i = 0; i < 1000; ++i) {
    MetricsSnapshot s;
    add(s, w);
    EXPECT_GE(s.client_received_bytes, last);
    last = s.client_received_bytes;
  }
  writer.join();
  MetricsSnapshot s;
  add(s, w);
  EXPECT_EQ(s.client_received_bytes, kBumps);
}

TEST(MetricLabels, NamesMatchTheWireAndTheLogs) {
  EXPECT_EQ(close_kind_name(CloseKind::Done), "done");
  EXPECT_EQ(close_kind_name(CloseKind::ClientGone), "client-gone");
  EXPECT_EQ(close_kind_name(CloseKind::CreditOverrun), "credit-overrun");
  EXPECT_EQ(close_kind_name(CloseKind::Drained), "drained");
  EXPECT_EQ(close_kind_name(CloseKind::HandlerGone), "handler-gone");
  EXPECT_EQ(close_kind_name(CloseKind::TlsHandshakeFailed), "tls-handshake-failed");
  EXPECT_EQ(close_kind_name(CloseKind::TlsHandshakeTimeout), "tls-handshake-timeout");
  EXPECT_EQ(packet_kind_name(PacketKind::KeepAlive), "keep-alive");
  EXPECT_EQ(packet_kind_name(PacketKind::HandoffProceed), "handoff-proceed");
  EXPECT_EQ(packet_kind_name(PacketKind::Pong), "pong");
  EXPECT_EQ(direction_name(MessageDirection::FromClient), "from_client");
  EXPECT_EQ(direction_name(PacketDirection::FromHandler), "from_handler");
  EXPECT_EQ(protocol_name(Protocol::WebSocket), "websocket");
  EXPECT_EQ(status_class_name(5), "other");
}

}  // namespace
}  // namespace zedge::metrics
