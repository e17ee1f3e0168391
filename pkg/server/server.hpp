// Wires the edge listener, the workers and the ZeroMQ bridge together from a Config,
// and takes them down in an order that loses nothing that can still be delivered.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "admin/drain_options.hpp"
#include "config/config.hpp"
#include "metrics/metrics_snapshot.hpp"
#include "server/handler_presence.hpp"

namespace zedge::bridge {
class WorkerChannel;
class ZmqBridge;
struct DiscoveryStatus;
}  // namespace zedge::bridge

namespace zedge::server {

class EdgeListener;
class Worker;
struct WorkerReport;

class Server {
 public:
  explicit Server(const config::Config& config);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds everything and starts the threads. Returns an error text on failure.
  std::optional<std::string> start();
  // Stops accepting, closes connections (telling handlers of open sessions), lets the
  // bridge hand the last packets to libzmq, and joins every thread.
  void stop();

  // Graceful drain (any thread). False if a drain is already running.
  bool start_drain(const admin::DrainOptions& plan);
  // False if not draining, or the listeners are already closed (they cannot come back).
  bool cancel_drain();
  bool draining() const;
  // A drain asked to exit and is over: no connection left, or the deadline passed.
  bool drain_finished() const;
  // A drain has nothing left to do: listeners closed, backlogs taken, no connection left.
  bool drain_over() const;
  // Time left until the drain deadline (zero when not draining or past it).
  std::chrono::milliseconds drain_time_left() const;
  bool accepting() const;
  std::uint64_t connection_count() const;

  // Every worker's report, gathered on the workers' own threads; nullopt if one did not
  // answer within `timeout` (its event loop is stuck: the liveness probe fails).
  std::optional<std::vector<WorkerReport>> worker_reports(std::chrono::milliseconds timeout) const;
  // Handler discovery per DNS-named tcp base (gateway mode).
  std::vector<bridge::DiscoveryStatus> discovery_status() const;
  // Handlers connected to the PUSH socket(s) now.
  int handlers_connected() const;
  // nullopt when ready for traffic; else why not (draining, no handler).
  std::optional<std::string> not_ready_reason();
  std::chrono::steady_clock::time_point started_at() const { return started_at_; }
  const config::Config& config() const { return config_; }
  // Every worker's counters summed (read without stopping them) plus the gauges.
  metrics::MetricsSnapshot metrics_snapshot() const;
  // Admin API `POST /quit`: drain with the defaults (or let a running drain exit when
  // done), then exit.
  void quit();

 private:
  // Readiness follows the handler count: the bridge reports each change, probes ask too.
  void observe_handlers(int connected);

  config::Config config_;
  std::vector<std::unique_ptr<bridge::WorkerChannel>> channels_;
  std::unique_ptr<bridge::ZmqBridge> bridge_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::unique_ptr<EdgeListener> listener_;
  bool started_ = false;

  std::mutex presence_mutex_;
  HandlerPresence presence_;
  std::chrono::steady_clock::time_point started_at_;

  mutable std::mutex drain_mutex_;
  bool draining_ = false;
  admin::DrainOptions drain_plan_;
  std::chrono::steady_clock::time_point drain_deadline_;
  bool listeners_closed_at_deadline_ = false;
};

}  // namespace zedge::server
