// One event loop (its own io_context) driving a share of the connections, in two
// phases: setup (connect + upgrade every connection, bounded by --connect-timeout) and
// load (closed loop until a common end time). The phases are split so that every thread
// starts loading at the same moment, after every connection is up.
#pragma once

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "load_counters.hpp"
#include "load_options.hpp"
#include "ws_load_connection.hpp"

namespace zedge::wsload {

class LoadThread {
 public:
  LoadThread(const LoadOptions& options, std::string_view payload, std::size_t connections, std::uint64_t seed);

  // Returns when every connection is ready or failed (at the latest at --connect-timeout).
  void run_setup();
  // Closed loop on every ready connection until `end`, then closes them all.
  void run_load(Clock::time_point end);

  const LoadCounters& counters() const { return counters_; }
  Clock::time_point stopped_at() const { return stopped_at_; }

  // For the connections.
  asio::io_context& io() { return io_; }
  const asio::ip::tcp::endpoint& endpoint() const { return endpoint_; }
  std::string_view upgrade_request() const { return upgrade_request_; }
  std::string_view payload() const { return payload_; }
  LoadCounters& counters() { return counters_; }
  std::uint32_t next_mask_key();
  void setup_finished();

 private:
  void start_more_setups();
  void on_tick();
  void stop_all();

  const LoadOptions& options_;
  std::string_view payload_;
  asio::io_context io_{1};
  asio::ip::tcp::endpoint endpoint_;
  std::string upgrade_request_;
  std::vector<std::unique_ptr<WsLoadConnection>> connections_;
  std::size_t next_setup_ = 0;  // connections_[next_setup_...] not started yet
  std::size_t setups_running_ = 0;
  asio::steady_timer deadline_timer_{io_};
  asio::steady_timer tick_timer_{io_};
  bool loading_ = false;
  Clock::time_point stopped_at_{};
  std::uint64_t random_state_;
  LoadCounters counters_;
};

}  // namespace zedge::wsload
