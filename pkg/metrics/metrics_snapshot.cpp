#include "metrics/metrics_snapshot.hpp"

#include <numeric>

namespace zedge::metrics {

std::uint64_t MetricsSnapshot::connections_active(Protocol p) const {
  const auto i = static_cast<std::size_t>(p);
  if (connections_active_override) return (*connections_active_override)[i];
  const auto& closed = connections_closed[i];
  std::uint64_t gone = std::accumulate(closed.begin(), closed.end(), std::uint64_t{0});
  if (p == Protocol::Http) gone += connections_upgraded;
  const std::uint64_t opened = connections_opened[i];
  return opened > gone ? opened - gone : 0;
}

std::uint64_t MetricsSnapshot::duration_count() const {
  return std::accumulate(duration_buckets.begin(), duration_buckets.end(), std::uint64_t{0});
}

std::uint64_t MetricsSnapshot::requests_total() const {
  return std::accumulate(requests.begin(), requests.end(), std::uint64_t{0});
}

}  // namespace zedge::metrics
