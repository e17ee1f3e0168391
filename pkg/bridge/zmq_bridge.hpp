// The one thread that owns every libzmq socket. Workers hand it ZHTTP
// frames through their WorkerChannel; it sends them on PUSH, ROUTER or DEALER, and
// routes what handlers publish (SUB) or reply (DEALER) to the worker named by each
// packet's id prefix ("<worker>-<slot>-<counter>").
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bridge/discovered_endpoints.hpp"
#include "bridge/dns_lookup.hpp"
#include "bridge/handler_discovery.hpp"
#include "bridge/messages.hpp"
#include "bridge/worker_channel.hpp"

namespace zedge::bridge {

struct BridgeOptions {
  std::string instance_id = "condure";
  std::vector<std::string> stream_bases;  // --zclient-stream
  std::vector<std::string> req_specs;     // --zclient-req (opened only if req_enabled)
  bool req_enabled = false;
  bool connect = false;  // --zclient-connect
  std::optional<std::uint32_t> ipc_file_mode;
  int high_water_mark = 1000;
  int linger_ms = 1000;  // how long close waits for queued packets (e.g. shutdown cancels)
  // Gateway mode: with `connect`, a tcp base whose host is a DNS name is looked
  // up every interval and the sockets follow its A/AAAA records. Zero turns it off (the
  // name is then left to ZeroMQ, which connects to one address).
  std::chrono::milliseconds discovery_interval{10000};
  std::string discovery_dns_server;                   // "ip:port"; empty: the system's
  std::chrono::milliseconds discovery_grace{30000};   // a vanished handler's replies still arrive
};

// One discovered tcp base, for the admin API.
struct DiscoveryStatus {
  std::string base;                    // as given: tcp://NAME:PORT
  std::vector<std::string> addresses;  // handlers taking new requests
  std::vector<std::string> leaving;    // gone from DNS, replies still accepted
  std::uint64_t lookups_ok = 0;
  std::uint64_t lookups_failed = 0;
  std::string last_error;              // of the latest lookup ("" when it succeeded)
  std::optional<std::chrono::steady_clock::time_point> last_success;
};

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
  std::vector<DiscoveryStatus> discovery_status() const;

 private:
  struct PendingSend {
    std::string address;
    std::string frame;
    int attempts = 0;
  };

  void run();
  bool bind_or_connect(void* socket, const std::string& endpoint, std::string& error);
  void drain_workers();
  void send_push(std::string frame);
  void send_router(std::string address, std::string frame);
  void send_req(std::string frame);
  void flush_push_pending();
  void flush_router_pending();
  void receive_sub();
  void receive_req();
  void receive_push_events();
  void route_to_workers(ToWorker::Source source, std::string_view frame, std::string_view unroutable_address = {});
  void flush_worker_pending();
  bool workers_backlogged() const;
  struct DiscoveredBase;
  void on_discovery_answer(std::size_t target, DnsAnswer answer);
  void apply_discovery();
  void apply_endpoint_changes(DiscoveredBase& base, const DiscoveredEndpoints::Changes& changes);
  void publish_discovery_status();
  std::optional<std::string> discovered_host(const std::string& base) const;
  bool any_worker_pending() const;

  BridgeOptions options_;
  std::vector<WorkerChannel*> channels_;
  void* context_ = nullptr;
  void* push_ = nullptr;
  void* router_ = nullptr;
  void* sub_ = nullptr;
  void* dealer_ = nullptr;
  void* push_monitor_ = nullptr;  // PAIR receiving the PUSH socket's connect/disconnect events
  std::atomic<int> handler_peers_{0};
  int wake_fd_ = -1;
  std::vector<std::string> bound_ipc_paths_;

  std::deque<std::string> push_pending_;
  std::deque<PendingSend> router_pending_;
  std::deque<std::string> req_pending_;
  std::vector<std::deque<ToWorker>> worker_pending_;
  std::vector<bool> worker_touched_;

  struct DiscoveredBase {
    std::string spec;
    std::string host;
    unsigned port = 0;
    DiscoveredEndpoints endpoints;
    DiscoveryStatus status;
  };
  std::vector<DiscoveredBase> discovered_;  // bridge thread only
  std::unique_ptr<HandlerDiscovery> discovery_;
  std::mutex discovery_mutex_;              // guards the two below
  std::vector<std::pair<std::size_t, DnsAnswer>> discovery_inbox_;
  std::vector<DiscoveryStatus> discovery_published_;
  mutable std::mutex discovery_status_mutex_;

  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace zedge::bridge
