#include "metrics/worker_metrics.hpp"

namespace zedge::metrics {
namespace {

std::uint64_t read(const std::atomic<std::uint64_t>& c) { return c.load(std::memory_order_relaxed); }

template <std::size_t N>
void add_all(Counts<N>& into, const std::array<std::atomic<std::uint64_t>, N>& from) {
  for (std::size_t i = 0; i < N; ++i) into[i] += read(from[i]);
}

}  // namespace

void add(MetricsSnapshot& into, const WorkerMetrics& from) {
  into.connections_accepted += read(from.accepted_);
  // Closes before opens: a connection is opened before it closes, so this order keeps the
  // derived gauge from going below the truth on x86 (elsewhere it is floored at 0).
  for (std::size_t p = 0; p < kProtocolCount; ++p) add_all(into.connections_closed[p], from.closed_[p]);
  into.connections_upgraded += read(from.upgraded_);
  add_all(into.connections_opened, from.opened_);
  add_all(into.requests, from.requests_);
  add_all(into.duration_buckets, from.duration_buckets_);
  into.duration_sum_us += read(from.duration_sum_us_);
  into.client_received_bytes += read(from.bytes_in_);
  into.client_sent_bytes += read(from.bytes_out_);
  add_all(into.websocket_messages, from.ws_messages_);
  for (std::size_t d = 0; d < kDirectionCount; ++d) add_all(into.zhttp_packets[d], from.packets_[d]);
  into.credit_stalls += read(from.credit_stalls_);
}

}  // namespace zedge::metrics
