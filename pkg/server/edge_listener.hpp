// The edge listener thread: owns every listening socket and hands each accepted
// connection to a worker that has room. When no worker has room it stops accepting, so
// the kernel backlog absorbs the excess instead of our memory (reference §3.1).
#pragma once

#include <asio.hpp>
#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "config/config.hpp"
#include "server/connection_settings.hpp"

namespace zedge::server {

class Worker;

class EdgeListener {
 public:
  explicit EdgeListener(std::vector<Worker*> workers);
  ~EdgeListener();
  EdgeListener(const EdgeListener&) = delete;
  EdgeListener& operator=(const EdgeListener&) = delete;

  // Binds one listening socket (on the calling thread, before start). Returns an error text.
  std::optional<std::string> add(const config::ListenSpec& spec);
  void start();
  // Closes the listening sockets now (any thread); the thread keeps running until stop().
  void stop_accepting();
  bool accepting() const { return accepting_.load(); }
  // Closes the listening sockets (removing unix socket files) and joins the thread.
  void stop();

 private:
  struct Acceptor {
    asio::basic_socket_acceptor<asio::generic::stream_protocol> socket;
    ListenerInfo info;
    std::string local_path;  // unix socket file to remove on stop
    std::string description;
    std::chrono::steady_clock::time_point last_failure_log{};
    bool unix_socket = false;  // inherited unix listener (no peer address, no TCP options)
  };

  std::optional<std::string> add_inherited(const config::ListenSpec& spec);

  void accept_next(Acceptor& acceptor);
  Worker* pick_worker(Mode mode);
  void refuse_busy(asio::generic::stream_protocol::socket socket);
  static void drain_then(std::shared_ptr<asio::generic::stream_protocol::socket> socket,
                         std::function<void()> finish);

  std::vector<Worker*> workers_;
  std::size_t next_worker_ = 0;
  std::size_t refusing_ = 0;  // 503-refused connections still draining
  asio::io_context io_;
  std::vector<std::unique_ptr<Acceptor>> acceptors_;
  std::thread thread_;
  std::atomic<bool> accepting_{true};
};

}  // namespace zedge::server
