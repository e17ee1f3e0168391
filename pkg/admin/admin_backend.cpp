#include "admin/admin_backend.hpp"

namespace zedge::admin {

ConnectionCounts& ConnectionCounts::operator+=(const ConnectionCounts& o) {
  http += o.http;
  websocket += o.websocket;
  stream_mode += o.stream_mode;
  req_mode += o.req_mode;
  idle += o.idle;
  active += o.active;
  lingering += o.lingering;
  return *this;
}

TotalsStatus totals_from(const metrics::MetricsSnapshot& m) {
  TotalsStatus t;
  t.connections_accepted = m.connections_accepted;
  t.requests = m.requests_total();
  t.websocket_messages = m.websocket_messages[0] + m.websocket_messages[1];
  t.client_received_bytes = m.client_received_bytes;
  t.client_sent_bytes = m.client_sent_bytes;
  return t;
}

}  // namespace zedge::admin
