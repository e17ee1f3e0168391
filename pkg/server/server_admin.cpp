#include "server/server_admin.hpp"

#include <algorithm>

#include "bridge/zmq_bridge.hpp"
#include "log/log.hpp"
#include "server/worker.hpp"

namespace zedge::server {
namespace {

// A worker that does not answer within this is stuck: liveness fails, status says so.
constexpr auto kReportTimeout = std::chrono::milliseconds(1000);

std::string listener_address(const config::ListenSpec& spec) {
  if (spec.local) return spec.path;
  return (spec.ipv6 ? "[" + spec.address + "]" : spec.address) + ":" + std::to_string(spec.port);
}

admin::ConnectionCounts counts_of(const WorkerReport& r) {
  admin::ConnectionCounts c;
  c.http = r.http_idle + r.http_active + r.req_mode;
  c.websocket = r.websocket;
  c.stream_mode = r.http_idle + r.http_active + r.websocket;
  c.req_mode = r.req_mode;
  c.idle = r.http_idle;
  c.active = r.http_active + r.req_mode;
  c.lingering = r.lingering;
  return c;
}

double seconds(std::chrono::steady_clock::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

bool ServerAdmin::alive() { return server_.worker_reports(kReportTimeout).has_value(); }

std::optional<std::string> ServerAdmin::not_ready_reason() { return server_.not_ready_reason(); }

admin::StatusSnapshot ServerAdmin::status() {
  const auto now = std::chrono::steady_clock::now();
  admin::StatusSnapshot s;
  s.version = ZEDGE_VERSION;
  s.uptime_seconds = seconds(now - server_.started_at());
  for (const auto& spec : server_.config().listens) {
    s.listeners.push_back({listener_address(spec), spec.mode == config::ListenMode::Req ? "req" : "stream", spec.tls,
                           server_.accepting()});
  }
  std::vector<std::pair<std::string, std::chrono::steady_clock::time_point>> seen;
  if (const auto reports = server_.worker_reports(kReportTimeout)) {
    for (const auto& report : *reports) {
      s.workers.push_back({report.index, counts_of(report)});
      s.connections += s.workers.back().connections;
      for (const auto& [address, when] : report.handlers) {
        const auto it = std::find_if(seen.begin(), seen.end(), [&](const auto& e) { return e.first == address; });
        if (it == seen.end())
          seen.emplace_back(address, when);
        else
          it->second = std::max(it->second, when);
      }
    }
  }
  std::sort(seen.begin(), seen.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  for (const auto& [address, when] : seen) s.handlers.push_back({address, seconds(now - when)});
  s.handlers_connected = server_.handlers_connected();
  for (const auto& d : server_.discovery_status()) {
    admin::DiscoveryBaseStatus b{d.base, d.addresses, d.leaving, d.lookups_ok, d.lookups_failed, d.last_error, {}};
    if (d.last_success) b.last_success_seconds_ago = seconds(now - *d.last_success);
    s.discovery.push_back(std::move(b));
  }
  s.totals = admin::totals_from(server_.metrics_snapshot());
  s.drain.started = server_.draining();
  s.drain.finished = server_.drain_over();
  s.drain.deadline_seconds_left = std::chrono::duration<double>(server_.drain_time_left()).count();
  s.drain.options = last_drain_;
  return s;
}

metrics::MetricsSnapshot ServerAdmin::metrics() { return server_.metrics_snapshot(); }

bool ServerAdmin::start_drain(const admin::DrainOptions& options) {
  if (!server_.start_drain(options)) return false;
  last_drain_ = options;
  return true;
}

bool ServerAdmin::cancel_drain() { return server_.cancel_drain(); }

void ServerAdmin::set_log_level(int level) {
  log::set_level(level);
  LOG_INFO("admin", "log level set to " << level);
}

void ServerAdmin::quit() {
  LOG_INFO("admin", "quit requested: draining, then exiting");
  server_.quit();
}

}  // namespace zedge::server
