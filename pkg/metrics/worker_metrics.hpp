// The counters one worker thread updates on its data path and the admin thread reads on a
// scrape (counting must not slow the data path). Single writer: a bump is a
// relaxed load and store, a plain `add` on x86 with no lock prefix; a reader only ever
// sees whole values. Every thread that counts (each worker, the edge listener) owns its
// own WorkerMetrics; a scrape sums them with add().
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "metrics/metric_labels.hpp"
#include "metrics/metrics_snapshot.hpp"

namespace zedge::metrics {

class WorkerMetrics;
void add(MetricsSnapshot& into, const WorkerMetrics& from);

// Own cache line(s), so two workers' counters never share one.
class alignas(64) WorkerMetrics {
 public:
  WorkerMetrics() = default;
  WorkerMetrics(const WorkerMetrics&) = delete;
  WorkerMetrics& operator=(const WorkerMetrics&) = delete;

  void count_accepted() { bump(accepted_); }
  void connection_opened(Protocol p) { bump(opened_[index(p)]); }
  // An HTTP connection switched to WebSocket (101 sent): it leaves the http gauge and
  // enters the websocket one; its close is then counted as WebSocket.
  void connection_upgraded() {
    bump(upgraded_);
    bump(opened_[index(Protocol::WebSocket)]);
  }
  void connection_closed(Protocol p, CloseKind why) { bump(closed_[index(p)][index(why)]); }

  // A response finished (its last byte written, or the connection ended it).
  void request_finished(int status, std::chrono::nanoseconds elapsed) {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count();
    record_request(status, us > 0 ? static_cast<std::uint64_t>(us) : 0);
  }
  void request_finished(int status, double seconds) {
    // Far beyond the last bucket; keeps the conversion in range.
    constexpr double kMaxSeconds = 1e9;
    const double clamped = seconds > 0 ? (seconds < kMaxSeconds ? seconds : kMaxSeconds) : 0.0;
    record_request(status, static_cast<std::uint64_t>(std::llround(clamped * 1e6)));
  }

  void bytes_in(std::uint64_t n) { bump(bytes_in_, n); }    // read from clients
  void bytes_out(std::uint64_t n) { bump(bytes_out_, n); }  // written to clients
  void ws_message(MessageDirection d) { bump(ws_messages_[index(d)]); }
  void zhttp_packet(PacketDirection d, PacketKind k) { bump(packets_[index(d)][index(k)]); }
  // Output waited for handler credits (or a request body for client credits).
  void credit_stall() { bump(credit_stalls_); }

 private:
  friend void add(MetricsSnapshot& into, const WorkerMetrics& from);
  using Counter = std::atomic<std::uint64_t>;

  template <typename E>
  static constexpr std::size_t index(E e) {
    return static_cast<std::size_t>(e);
  }
  static void bump(Counter& c, std::uint64_t n = 1) {
    c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  static std::size_t bucket_index(std::uint64_t us) {
    std::size_t i = 0;
    while (i < kDurationBucketBoundsUs.size() && us > kDurationBucketBoundsUs[i]) ++i;  // `le`: inclusive
    return i;
  }
  void record_request(int status, std::uint64_t us) {
    bump(requests_[status_class_index(status)]);
    bump(duration_buckets_[bucket_index(us)]);
    bump(duration_sum_us_, us);
  }

  Counter accepted_{0};
  std::array<Counter, kProtocolCount> opened_{};
  Counter upgraded_{0};
  std::array<std::array<Counter, kCloseKindCount>, kProtocolCount> closed_{};
  std::array<Counter, kStatusClassCount> requests_{};
  std::array<Counter, kDurationBucketCount> duration_buckets_{};
  Counter duration_sum_us_{0};
  Counter bytes_in_{0};
  Counter bytes_out_{0};
  std::array<Counter, kDirectionCount> ws_messages_{};
  std::array<std::array<Counter, kPacketKindCount>, kDirectionCount> packets_{};
  Counter credit_stalls_{0};
};

}  // namespace zedge::metrics
