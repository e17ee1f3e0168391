// A snapshot with known values, shared by the C++ tests and the tool whose output the
// Python parser check reads.
#pragma once

#include "metrics/worker_metrics.hpp"

namespace zedge::metrics::testing {

inline MetricsSnapshot sample_snapshot() {
  WorkerMetrics a;
  WorkerMetrics b;
  a.count_accepted();
  a.count_accepted();
  b.count_accepted();
  a.connection_opened(Protocol::Http);
  a.connection_opened(Protocol::Http);
  b.connection_opened(Protocol::Http);
  b.connection_upgraded();
  a.connection_closed(Protocol::Http, CloseKind::Done);
  a.request_finished(200, 0.003);
  a.request_finished(404, 0.02);
  b.request_finished(502, 1.5);
  a.bytes_in(512);
  b.bytes_out(2048);
  b.ws_message(MessageDirection::FromClient);
  b.ws_message(MessageDirection::ToClient);
  b.ws_message(MessageDirection::ToClient);
  a.zhttp_packet(PacketDirection::ToHandler, PacketKind::Data);
  a.zhttp_packet(PacketDirection::FromHandler, PacketKind::Data);
  a.zhttp_packet(PacketDirection::FromHandler, PacketKind::Credit);
  b.zhttp_packet(PacketDirection::ToHandler, PacketKind::KeepAlive);
  b.credit_stall();

  MetricsSnapshot s;
  add(s, a);
  add(s, b);
  s.handlers_connected = 2;
  s.draining = true;
  s.version = "1.2.3";
  return s;
}

}  // namespace zedge::metrics::testing
