// Every metric as plain integers at one scrape: the workers' counters summed (add() in
// worker_metrics.hpp) plus the gauges the server knows. Rendered by render_prometheus().
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "metrics/metric_labels.hpp"

namespace zedge::metrics {

// Upper bounds of zedge_request_duration_seconds, in microseconds so a bucket is chosen
// by integer comparison and the sum stays exact; a last bucket (+Inf) follows.
inline constexpr std::array<std::uint64_t, 13> kDurationBucketBoundsUs = {
    5'000,     10'000,    25'000,    50'000,     100'000,    250'000,   500'000,
    1'000'000, 2'500'000, 5'000'000, 10'000'000, 30'000'000, 60'000'000};
inline constexpr std::size_t kDurationBucketCount = kDurationBucketBoundsUs.size() + 1;

template <std::size_t N>
using Counts = std::array<std::uint64_t, N>;

struct MetricsSnapshot {
  // Counters (sums over workers).
  std::uint64_t connections_accepted = 0;
  Counts<kProtocolCount> connections_opened{};
  std::uint64_t connections_upgraded = 0;  // HTTP connections that became WebSockets
  std::array<Counts<kCloseKindCount>, kProtocolCount> connections_closed{};
  Counts<kStatusClassCount> requests{};             // by status_class_index()
  Counts<kDurationBucketCount> duration_buckets{};  // per bucket, not cumulative; last is +Inf
  std::uint64_t duration_sum_us = 0;
  std::uint64_t client_received_bytes = 0;
  std::uint64_t client_sent_bytes = 0;
  Counts<kDirectionCount> websocket_messages{};                           // by MessageDirection
  std::array<Counts<kPacketKindCount>, kDirectionCount> zhttp_packets{};  // [PacketDirection][PacketKind]
  std::uint64_t credit_stalls = 0;

  // Gauges the server fills.
  // Open connections by protocol; nullopt: derived from the counters (connections_active()).
  std::optional<Counts<kProtocolCount>> connections_active_override;
  std::uint64_t handlers_connected = 0;
  bool draining = false;
  // Gateway-mode discovery: handler addresses taking requests, and lookups.
  std::uint64_t discovered_handlers = 0;
  std::uint64_t discovery_lookups_ok = 0;
  std::uint64_t discovery_lookups_failed = 0;
  std::string version;

  // Open connections of a protocol: the override, else opened - upgraded (http) - closed,
  // floored at 0 (counters read one by one while workers run may be a moment apart).
  std::uint64_t connections_active(Protocol p) const;
  std::uint64_t duration_count() const;  // requests observed by the histogram
  std::uint64_t requests_total() const;
};

}  // namespace zedge::metrics
