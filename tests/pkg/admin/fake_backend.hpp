// An AdminBackend with settable answers that records what the router asked of it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "admin/admin_backend.hpp"

namespace zedge::admin::testing {

class FakeBackend : public AdminBackend {
 public:
  FakeBackend() {
    snapshot.version = "1.2.3";
    snapshot.uptime_seconds = 12.5;
    snapshot.listeners = {{"0.0.0.0:8000", "stream", false, true}, {"127.0.0.1:8001", "req", true, false}};
    ConnectionCounts w0;
    w0.http = 3;
    w0.websocket = 1;
    w0.stream_mode = 3;
    w0.req_mode = 1;
    w0.idle = 1;
    w0.active = 2;
    ConnectionCounts w1;
    w1.http = 1;
    w1.stream_mode = 1;
    w1.lingering = 1;
    snapshot.workers = {{0, w0}, {1, w1}};
    snapshot.connections = w0;
    snapshot.connections += w1;
    snapshot.handlers_connected = 1;
    snapshot.handlers = {{"handler-1", 0.25}};
    snapshot.totals = {10, 20, 30, 400, 500};
    metrics_snapshot.version = "1.2.3";
  }

  bool alive() override { return is_alive; }
  std::optional<std::string> not_ready_reason() override {
    if (draining) return std::string("draining");
    return not_ready;
  }
  StatusSnapshot status() override {
    StatusSnapshot s = snapshot;
    s.drain.started = draining;
    if (draining) {
      s.drain.options = last_drain;
      s.drain.deadline_seconds_left = 24.5;
    }
    return s;
  }
  metrics::MetricsSnapshot metrics() override { return metrics_snapshot; }
  bool start_drain(const DrainOptions& options) override {
    ++drain_calls;
    if (draining) return false;
    draining = true;
    last_drain = options;
    return true;
  }
  bool cancel_drain() override {
    ++cancel_calls;
    if (!draining) return false;
    draining = false;
    return true;
  }
  void set_log_level(int level) override { log_levels.push_back(level); }
  void quit() override {
    ++quit_calls;
    draining = true;
  }

  // Answers.
  bool is_alive = true;
  std::optional<std::string> not_ready;
  bool draining = false;
  StatusSnapshot snapshot;
  metrics::MetricsSnapshot metrics_snapshot;

  // Calls seen.
  int drain_calls = 0;
  int cancel_calls = 0;
  int quit_calls = 0;
  DrainOptions last_drain;
  std::vector<int> log_levels;
};

}  // namespace zedge::admin::testing
