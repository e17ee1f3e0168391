// A ConnectionHost standing in for the worker in connection tests: request ids as worker 0
// makes them, every packet toward the handlers recorded, backpressure switched by the
// test, and what the connection asked of it at its end kept for the test to check.
#pragma once

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "server/connection_host.hpp"
#include "server/http_connection.hpp"

namespace zedge::server::testing {

struct Released {
  std::uint32_t slot;
  session::Mode mode;
  friend bool operator==(const Released&, const Released&) = default;
};

class FakeConnectionHost : public ConnectionHost {
 public:
  // "0-<slot>-<counter hex>", as Worker 0 makes them.
  std::string next_request_id(std::uint32_t slot) override {
    char hex[16];
    const auto end = std::to_chars(hex, hex + sizeof hex, next_counter_++, 16).ptr;
    return "0-" + std::to_string(slot) + "-" + std::string(hex, end);
  }
  std::span<char> read_scratch() override { return scratch_; }
  bool handlers_available() const override { return true; }

  void send_to_bridge(bridge::ToBridge message) override {
    sent.push_back(std::move(message));
    if (backlogged_after_next_packet) backlog = true;
  }
  bool backlogged() const override { return backlog; }
  void resume_when_room(std::shared_ptr<HttpConnection> connection) override {
    waiting_for_room.push_back(std::move(connection));
  }

  void keep_lingering(std::shared_ptr<HttpConnection> connection) override {
    lingering.push_back(std::move(connection));
  }
  void stop_lingering(HttpConnection* connection) override {
    // Kept, not destroyed: the connection calls this from inside itself.
    const auto it =
        std::find_if(lingering.begin(), lingering.end(), [connection](const auto& c) { return c.get() == connection; });
    if (it == lingering.end()) return;
    done_lingering.push_back(std::move(*it));
    lingering.erase(it);
  }
  void release(std::uint32_t slot, session::Mode mode) override { released.push_back({slot, mode}); }
  void remember_abandoned(const std::string& id) override { abandoned.push_back(id); }
  metrics::WorkerMetrics& metrics() override { return metrics_; }

  // The queue toward the bridge has room again: what Worker does when its outbox drains.
  void make_room() {
    backlog = false;
    backlogged_after_next_packet = false;
    auto resumed = std::move(waiting_for_room);
    waiting_for_room.clear();
    for (auto& connection : resumed) connection->resume_reading();
  }

  // Lets go of every connection it holds (their sockets must go before the io_context).
  void forget_connections() {
    waiting_for_room.clear();
    lingering.clear();
    done_lingering.clear();
  }

  bool backlog = false;
  // The next packet fills the queue: it is taken, and the host is backlogged after it.
  bool backlogged_after_next_packet = false;

  std::vector<bridge::ToBridge> sent;
  std::vector<std::shared_ptr<HttpConnection>> waiting_for_room;
  std::vector<std::shared_ptr<HttpConnection>> lingering;
  std::vector<std::shared_ptr<HttpConnection>> done_lingering;
  std::vector<Released> released;
  std::vector<std::string> abandoned;

 private:
  std::vector<char> scratch_ = std::vector<char>(8192);  // SessionSettings' default --buffer-size
  std::uint64_t next_counter_ = 0;
  metrics::WorkerMetrics metrics_;
};

}  // namespace zedge::server::testing
