#include "server/server.hpp"

#include <algorithm>
#include <condition_variable>
#include <utility>

#include "bridge/worker_channel.hpp"
#include "bridge/zmq_bridge.hpp"
#include "server/edge_listener.hpp"
#include "server/worker.hpp"

namespace zedge::server {

Server::Server(const config::Config& config, asio::any_io_executor control, std::function<void()> drain_finished)
    : config_(config),
      presence_(std::chrono::seconds(config.ready_handler_grace_seconds)),
      started_at_(std::chrono::steady_clock::now()),
      control_(std::move(control)),
      drain_timer_(control_),
      drain_finished_(std::move(drain_finished)) {}

Server::~Server() { stop(); }

std::optional<std::string> Server::start() {
  ConnectionSettings settings;
  session::SessionSettings base;
  base.instance_id = config_.id;
  base.buffer_size_bytes = config_.buffer_size;
  base.body_buffer_size_bytes = config_.body_buffer_size;
  base.session_timeout = std::chrono::seconds(config_.zhttp_session_timeout_seconds);
  base.req_timeout = std::chrono::seconds(config_.req_timeout_seconds);
  base.stream_timeout = std::chrono::seconds(config_.stream_timeout_seconds);
  base.header_timeout = std::chrono::seconds(config_.header_timeout_seconds);
  base.handler_wait = std::chrono::milliseconds(config_.handler_wait_ms);
  base.messages_max = config_.messages_max;
  base.websocket_message_max_bytes = config_.websocket_message_max;
  base.compression = config_.compression;
  settings.stream = base;
  settings.stream.mode = session::Mode::Stream;
  settings.req = base;
  settings.req.mode = session::Mode::Req;
  settings.stream_maxconn = config_.stream_maxconn;
  settings.req_maxconn = config_.req_maxconn;
  settings.workers = config_.workers;
  settings.keepalive_interval = std::chrono::seconds(config_.zhttp_keepalive_interval_seconds);

  const bool any_req = std::any_of(config_.listens.begin(), config_.listens.end(),
                                   [](const auto& l) { return l.mode == config::ListenMode::Req; });
  bridge::BridgeOptions options;
  options.instance_id = config_.id;
  options.stream_bases = config_.zclient_stream;
  options.req_specs = config_.zclient_req;
  options.req_enabled = any_req;
  options.connect = config_.zclient_connect;
  options.ipc_file_mode = config_.ipc_file_mode;
  options.discovery_interval = std::chrono::seconds(config_.discovery_interval_seconds);
  options.discovery_dns_server = config_.discovery_dns_server;
  options.handlers_changed = [this](int connected) { observe_handlers(connected); };
  // Condure 1.9.1 sizes every queue at 5 % of the connection limit.
  options.high_water_mark =
      static_cast<int>(std::max<std::uint64_t>(1, (config_.req_maxconn + config_.stream_maxconn) / 20));

  std::vector<bridge::WorkerChannel*> channel_ptrs;
  for (unsigned i = 0; i < config_.workers; ++i) {
    channels_.push_back(std::make_unique<bridge::WorkerChannel>());
    channel_ptrs.push_back(channels_.back().get());
  }
  bridge_ = std::make_unique<bridge::ZmqBridge>(options, channel_ptrs);
  if (auto error = bridge_->open()) return error;

  std::vector<Worker*> worker_ptrs;
  for (unsigned i = 0; i < config_.workers; ++i) {
    workers_.push_back(std::make_unique<Worker>(
        i, settings, *channels_[i], [b = bridge_.get()] { b->wake(); }, bridge_->handler_peers()));
    worker_ptrs.push_back(workers_.back().get());
  }
  // A drain that exits is over when the listeners have closed and the last connection is
  // gone: both say so, and the drain checks then.
  for (auto& worker : workers_) worker->on_emptied([this] { check_drain_soon(); });
  listener_ = std::make_unique<EdgeListener>(worker_ptrs);
  listener_->on_closed([this] { check_drain_soon(); });
  for (const auto& spec : config_.listens) {
    if (auto error = listener_->add(spec, config_.tls_identities_dir)) return error;
  }
  bridge_->start();
  for (auto& worker : workers_) worker->start();
  listener_->start();
  std::lock_guard lock(drain_mutex_);
  started_ = true;
  return std::nullopt;
}

void Server::stop() {
  {
    std::lock_guard lock(drain_mutex_);
    if (!started_) return;
    started_ = false;
  }
  listener_->stop();
  for (auto& worker : workers_) worker->shutdown();
  for (auto& worker : workers_) worker->join();
  bridge_->stop();
}

bool Server::accepting() const { return listener_ && listener_->accepting(); }

std::uint64_t Server::connection_count() const {
  std::uint64_t total = 0;
  for (const auto& worker : workers_) total += worker->connection_count();
  return total;
}

std::optional<std::vector<WorkerReport>> Server::worker_reports(std::chrono::milliseconds timeout) const {
  struct Gathered {
    std::mutex mutex;
    std::condition_variable done;
    std::vector<WorkerReport> reports;
  };
  auto gathered = std::make_shared<Gathered>();
  for (const auto& worker : workers_) {
    worker->report([gathered](WorkerReport report) {
      std::lock_guard lock(gathered->mutex);
      gathered->reports.push_back(std::move(report));
      gathered->done.notify_all();
    });
  }
  std::unique_lock lock(gathered->mutex);
  const bool all = gathered->done.wait_for(lock, timeout, [&] { return gathered->reports.size() == workers_.size(); });
  if (!all) return std::nullopt;
  std::sort(gathered->reports.begin(), gathered->reports.end(),
            [](const WorkerReport& a, const WorkerReport& b) { return a.index < b.index; });
  return std::move(gathered->reports);
}

metrics::MetricsSnapshot Server::metrics_snapshot() const {
  metrics::MetricsSnapshot snapshot;
  for (const auto& worker : workers_) metrics::add(snapshot, worker->metrics());
  snapshot.handlers_connected = static_cast<std::uint64_t>(std::max(0, handlers_connected()));
  snapshot.draining = draining();
  snapshot.version = ZEDGE_VERSION;
  for (const auto& d : discovery_status()) {
    snapshot.discovered_handlers += d.addresses.size();
    snapshot.discovery_lookups_ok += d.lookups_ok;
    snapshot.discovery_lookups_failed += d.lookups_failed;
  }
  return snapshot;
}

std::vector<bridge::DiscoveryStatus> Server::discovery_status() const {
  return bridge_ ? bridge_->discovery_status() : std::vector<bridge::DiscoveryStatus>{};
}

int Server::handlers_connected() const { return bridge_ ? bridge_->handler_peers().load() : 0; }

void Server::observe_handlers(int connected) {
  std::lock_guard lock(presence_mutex_);
  presence_.observe(connected, std::chrono::steady_clock::now());
}

std::optional<std::string> Server::not_ready_reason() {
  if (draining()) return "draining";
  observe_handlers(handlers_connected());
  std::lock_guard lock(presence_mutex_);
  return presence_.not_ready_reason(std::chrono::steady_clock::now());
}

}  // namespace zedge::server
