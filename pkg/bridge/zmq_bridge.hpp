// The one thread that owns every libzmq socket. Workers hand it ZHTTP
// frames through their WorkerChannel; it sends them on PUSH, ROUTER or DEALER, and
// routes what handlers publish (SUB) or reply (DEALER) to the worker named by each
// packet's id prefix ("<worker>-<slot>-<counter>").
#pragma once

#include <atomic>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bridge/bridge_options.hpp"
#include "bridge/bridge_sockets.hpp"
#include "bridge/discovered_bases.hpp"
#include "bridge/messages.hpp"
#include "bridge/worker_channel.hpp"

namespace zedge::bridge {

class ZmqBridge {
 public:
  ZmqBridge(BridgeOptions options, std::vector<WorkerChannel*> channels);
  ~ZmqBridge();
  ZmqBridge(const ZmqBridge&) = delete;
  ZmqBridge& operator=(const ZmqBridge&) = delete;

  // Creates, binds or connects the sockets on the calling thread. Returns an error text.
  std::optional<std::string> open();
  void start();
  // Any thread: a worker queued something.
  void wake();
  // Handlers connected to the PUSH socket now (from a ZeroMQ socket monitor); workers read
  // it to decide whether a request can go out or must wait (and maybe get a 503).
  const std::atomic<int>& handler_peers() const { return handler_peers_; }
  // Sends what workers queued before the call, closes sockets (lingering) and joins.
  void stop();
  // Any thread: the state of handler discovery (empty when no base is discovered).
  std::vector<DiscoveryStatus> discovery_status() const { return discovered_.status(); }

 private:
  struct PendingSend {
    std::string address;
    std::string frame;
    int attempts = 0;
  };

  void run();
  void drain_workers();
  void send_push(std::string frame);
  void send_router(std::string address, std::string frame);
  void send_req(std::string frame);
  void flush_push_pending();
  void flush_router_pending();
  void flush_req_pending();
  void receive_sub();
  void receive_req();
  void receive_push_events();
  void route_to_workers(ToWorker::Source source, std::string_view frame, std::string_view unroutable_address = {});
  void flush_worker_pending();
  bool workers_backlogged() const;
  bool any_worker_pending() const;

  BridgeOptions options_;  // declared first: the two below keep a reference to it
  BridgeSockets sockets_;
  DiscoveredBases discovered_;
  std::vector<WorkerChannel*> channels_;
  std::atomic<int> handler_peers_{0};
  int wake_fd_ = -1;

  std::deque<std::string> push_pending_;
  std::deque<PendingSend> router_pending_;
  std::deque<std::string> req_pending_;
  std::vector<std::deque<ToWorker>> worker_pending_;
  std::vector<bool> worker_touched_;

  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace zedge::bridge
