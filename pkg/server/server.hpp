// Wires the edge listener, the workers and the ZeroMQ bridge together from a Config,
// and takes them down in an order that loses nothing that can still be delivered.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace zedge::bridge {
class WorkerChannel;
class ZmqBridge;
}  // namespace zedge::bridge

namespace zedge::server {

class EdgeListener;
class Worker;

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

 private:
  config::Config config_;
  std::vector<std::unique_ptr<bridge::WorkerChannel>> channels_;
  std::unique_ptr<bridge::ZmqBridge> bridge_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::unique_ptr<EdgeListener> listener_;
  bool started_ = false;
};

}  // namespace zedge::server
