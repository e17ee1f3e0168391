// A worker thread: one io_context, the connections it owns, and its link to the bridge.
// Connections never leave their worker, so nothing on the data path is shared
// between threads except the lock-free queues.
#pragma once

#include <asio.hpp>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "bridge/messages.hpp"
#include "bridge/worker_channel.hpp"
#include "metrics/worker_metrics.hpp"
#include "server/abandoned_ids.hpp"
#include "server/connection_host.hpp"
#include "server/connection_settings.hpp"
#include "server/worker_events.hpp"
#include "zhttp/packet.hpp"

namespace zedge::server {

class HttpConnection;

// What a worker reports to the admin API, gathered on its own thread.
struct WorkerReport {
  unsigned index = 0;
  std::uint64_t http_idle = 0;    // keep-alive connections between requests
  std::uint64_t http_active = 0;  // a request in flight (stream mode)
  std::uint64_t req_mode = 0;     // req-mode connections
  std::uint64_t websocket = 0;
  std::uint64_t lingering = 0;  // closing after an error response
  // Handler addresses (`from`) seen on this worker, with when their last packet came.
  std::vector<std::pair<std::string, std::chrono::steady_clock::time_point>> handlers;
};

class Worker : public ConnectionHost {
 public:
  // `handler_peers` counts handlers connected to the PUSH socket (kept by the bridge).
  Worker(unsigned index, const ConnectionSettings& settings, bridge::WorkerChannel& channel,
         std::function<void()> wake_bridge, const std::atomic<int>& handler_peers);
  ~Worker() override;
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  void start();
  // Closes every connection, sending `cancel` to handlers of open sessions, then stops.
  void shutdown();
  // Graceful drain (any thread): Connection: close on responses and quiet keep-alive
  // connections closed now; at `deadline` WebSockets get 1001 and requests still in flight
  // are abandoned. `websockets_now` sends the 1001 at once.
  void drain(std::chrono::steady_clock::time_point deadline, bool websockets_now);
  void cancel_drain();
  // Runs on the worker thread and hands the report to `done` there (admin API).
  void report(std::function<void(WorkerReport)> done);
  // Open connections (any thread), including reservations by the listener.
  std::uint64_t connection_count() const { return stream_count_.load() + req_count_.load(); }
  void join();

  asio::io_context& io() { return io_; }
  unsigned index() const { return index_; }
  const ConnectionSettings& settings() const { return settings_; }

  // Listener thread: may this worker take one more connection of this mode?
  bool has_room(Mode mode) const;
  // Listener thread: reserve room before handing a socket over (undone by release()).
  void reserve(Mode mode);
  // Listener thread: a reserved accept failed.
  void release_reservation(Mode mode);
  // Called (on a worker or the listener thread) whenever this worker's last connection is
  // gone, so a drain learns it without polling. Set before start().
  void on_emptied(std::function<void()> hook) { on_emptied_ = std::move(hook); }
  // Worker thread: take ownership of an accepted socket. `refuse`: it was taken past the
  // connection limit from a closing listener's backlog, and its request gets 503.
  void adopt(asio::generic::stream_protocol::socket socket, const ListenerInfo& listener, PeerInfo peer,
             bool refuse = false);

  // This worker's counters: written by its thread only, read by the admin thread.
  metrics::WorkerMetrics& metrics() override { return metrics_; }
  const metrics::WorkerMetrics& metrics() const { return metrics_; }

 private:
  // ---- ConnectionHost: what its connections use, on the worker thread.
  std::string next_request_id(std::uint32_t slot) override;
  std::span<char> read_scratch() override { return {read_scratch_.get(), settings_.buffer_size_bytes()}; }
  bool handlers_available() const override { return handler_peers_.load(std::memory_order_relaxed) > 0; }
  void send_to_bridge(bridge::ToBridge message) override;
  // The bridge queue is full (ZeroMQ cannot take more) and packets wait in the outbox.
  bool backlogged() const override { return !outbox_.empty(); }
  void resume_when_room(std::shared_ptr<HttpConnection> connection) override;
  void keep_lingering(std::shared_ptr<HttpConnection> connection) override;
  void stop_lingering(HttpConnection* connection) override;
  void release(std::uint32_t slot, Mode mode) override;
  void remember_abandoned(const std::string& id) override;

  void wait_for_bridge();
  void receive_from_bridge();
  void dispatch(bridge::ToWorker& message);
  // The bridge could not deliver our packet to `address`: that handler's sessions end.
  void handler_unreachable(std::string_view frame, std::string_view address);
  void flush_outbox();
  void sweep_deadlines();
  void send_keepalives();

  unsigned index_;
  metrics::WorkerMetrics metrics_;
  WorkerEvents events_{metrics_};
  ConnectionSettings settings_;
  // The same settings for connections on tls listeners (https/wss uris); sessions keep a
  // reference, so they live here.
  session::SessionSettings secure_stream_;
  session::SessionSettings secure_req_;
  bridge::WorkerChannel& channel_;
  std::function<void()> wake_bridge_;
  const std::atomic<int>& handler_peers_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  asio::posix::stream_descriptor wake_;
  std::thread thread_;

  asio::steady_timer sweep_timer_;
  std::unique_ptr<char[]> read_scratch_;
  std::vector<std::shared_ptr<HttpConnection>> slots_;
  std::vector<std::uint32_t> free_slots_;
  std::vector<std::shared_ptr<HttpConnection>> lingering_;
  std::chrono::steady_clock::time_point next_keepalive_;
  std::uint64_t request_counter_ = 0;

  void note_handler(std::string_view from);
  // The connection whose session has this request id, or nullptr.
  std::shared_ptr<HttpConnection> connection_for(std::string_view request_id) const;
  void abort_addressed(std::string_view frame);
  void cancel_unknown(const zhttp::Packet& packet, const zhttp::IdSeq& addressed);

  zhttp::Packet packet_;  // parse target reused by dispatch()
  // Handler addresses and when each last sent a packet here; few, so a vector.
  std::vector<std::pair<std::string, std::chrono::steady_clock::time_point>> handlers_seen_;
  // Ids of sessions abandoned before their handler spoke (bounded).
  AbandonedIds abandoned_;
  std::vector<bridge::ToBridge> outbox_;  // waiting for room in the bridge queue
  std::vector<std::shared_ptr<HttpConnection>> waiting_for_room_;
  bool bridge_wake_pending_ = false;
  bool shutting_down_ = false;
  bool draining_ = false;
  bool drain_deadline_passed_ = false;
  std::chrono::steady_clock::time_point drain_deadline_;

  std::function<void()> on_emptied_;
  std::atomic<std::uint64_t> stream_count_{0};
  std::atomic<std::uint64_t> req_count_{0};
  std::uint64_t stream_max_;
  std::uint64_t req_max_;
};

}  // namespace zedge::server
