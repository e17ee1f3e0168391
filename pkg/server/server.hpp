// Wires the edge listener, the workers and the ZeroMQ bridge together from a Config,
// and takes them down in an order that loses nothing that can still be delivered.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <functional>
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
  // The drain's timer runs on `control`; there `drain_finished` is called, once, when a
  // drain asked to exit is over (the process should then stop).
  Server(const config::Config& config, asio::any_io_executor control, std::function<void()> drain_finished);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds everything and starts the threads. Returns an error text on failure.
  std::optional<std::string> start();
  // Stops accepting, closes connections (telling handlers of open sessions), lets the
  // bridge hand the last packets to libzmq, and joins every thread. Any thread; no drain
  // starts or moves on once it has begun.
  void stop();

  // Graceful drain (any thread). False if a drain is already running or zedge stops.
  bool start_drain(const admin::DrainOptions& plan);
  // False if not draining, or the listeners are already closed (they cannot come back).
  bool cancel_drain();
  bool draining() const;
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
  // SIGTERM and the admin API's `POST /quit`: drain with the defaults (or let a running
  // drain exit when done), then exit.
  void quit();

 private:
  // Readiness follows the handler count: the bridge reports each change, probes ask too.
  void observe_handlers(int connected);
  bool start_drain_locked(const admin::DrainOptions& plan);
  bool nothing_left() const;
  // Control executor: applies drain_step() now and sets the timer for the next one.
  void check_drain();
  // Any thread: check_drain() soon, because the drain just started or changed.
  void check_drain_soon();

  config::Config config_;
  std::vector<std::unique_ptr<bridge::WorkerChannel>> channels_;
  std::unique_ptr<bridge::ZmqBridge> bridge_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::unique_ptr<EdgeListener> listener_;

  std::mutex presence_mutex_;
  HandlerPresence presence_;
  std::chrono::steady_clock::time_point started_at_;

  mutable std::mutex drain_mutex_;  // guards the five below
  bool started_ = false;
  bool draining_ = false;
  admin::DrainOptions drain_plan_;
  std::chrono::steady_clock::time_point drain_deadline_;
  bool drain_finished_told_ = false;
  // The drain's timer, used on the control executor only, and whom it tells.
  asio::any_io_executor control_;
  asio::steady_timer drain_timer_;
  std::function<void()> drain_finished_;
};

}  // namespace zedge::server
