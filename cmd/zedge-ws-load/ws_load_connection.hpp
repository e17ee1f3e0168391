// One client connection of the load: connect, upgrade (RFC 6455 §4.1), then a closed loop
// of one masked text message out, its echo back. Owns its socket and buffers; every
// failure is counted once and closes the socket, so nothing is retried and nothing waits
// forever (LoadThread's timers fail what is overdue).
//
// The loop costs two system calls per message and no posted completion: the frame is
// written at once on the non-blocking socket (an async wait only if the kernel buffer is
// full), and the echo is read after a readiness wait. Asio's async_read_some would try a
// speculative recv before each wait (Asio 1.22 marks a read "exhausted" only at EOF), and
// async_write's completion makes the scheduler poll epoll once more: measured, those
// doubled the client's system calls per message.
#pragma once

#include <asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <string_view>
#include <vector>

#include "echo_reader.hpp"
#include "load_counters.hpp"
#include "masked_frame.hpp"

namespace zedge::wsload {

class LoadThread;
using Clock = std::chrono::steady_clock;

class WsLoadConnection {
 public:
  explicit WsLoadConnection(LoadThread& owner);
  WsLoadConnection(const WsLoadConnection&) = delete;
  WsLoadConnection& operator=(const WsLoadConnection&) = delete;

  // Connects and sends the upgrade; LoadThread::setup_finished() is called once either
  // way (ready, or failed).
  void start_setup();
  // Setup did not finish by the deadline: fails it (counted as connect or handshake).
  void abort_setup();
  // Starts the closed loop (only on a ready connection).
  void start_load();
  // An echo overdue at `now` fails the connection.
  void check_echo_deadline(Clock::time_point now, Clock::duration message_timeout);
  // End of the load window: closes without counting anything.
  void stop();

  bool was_ready() const { return was_ready_; }
  std::uint64_t messages() const { return messages_; }

 private:
  enum class State : std::uint8_t { kNew, kConnecting, kUpgrading, kReady, kLoading, kDone };

  void on_connected(const std::error_code& ec);
  void read_upgrade();
  void on_upgrade_bytes(const std::error_code& ec, std::size_t n);
  // The whole response head is in in_[0, head_bytes): 101 with the expected accept?
  void check_upgrade(std::size_t head_bytes);
  void send_message();
  void write_frame_from(std::size_t offset);
  void wait_readable();
  void on_readable(const std::error_code& ec);
  // Feeds n bytes of in_ to the reader; false once the connection failed.
  bool take_echo_bytes(std::size_t n);
  void fail(LoadError error, std::string_view what);
  void close_socket();

  LoadThread& owner_;
  asio::ip::tcp::socket socket_;
  MaskedFrame frame_;
  std::string_view frame_bytes_;  // the frame being sent (points into frame_)
  EchoReader reader_;
  std::vector<char> in_;
  std::size_t in_have_ = 0;  // upgrade response bytes read so far
  Clock::time_point sent_at_{};
  bool awaiting_echo_ = false;
  bool was_ready_ = false;
  std::uint64_t messages_ = 0;
  State state_ = State::kNew;
};

}  // namespace zedge::wsload
