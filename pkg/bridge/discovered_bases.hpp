// Gateway mode on the bridge's side: the stream bases whose host is a DNS name, looked
// up every interval on a HandlerDiscovery thread, and the PUSH, ROUTER and SUB connects
// and disconnects that follow each answer, made on the bridge thread that owns the sockets.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bridge/bridge_options.hpp"
#include "bridge/bridge_sockets.hpp"
#include "bridge/discovered_endpoints.hpp"
#include "bridge/dns_lookup.hpp"
#include "bridge/handler_discovery.hpp"

namespace zedge::bridge {

class DiscoveredBases {
 public:
  // `options` must outlive this.
  explicit DiscoveredBases(const BridgeOptions& options) : options_(options) {}
  ~DiscoveredBases() { stop(); }
  DiscoveredBases(const DiscoveredBases&) = delete;
  DiscoveredBases& operator=(const DiscoveredBases&) = delete;

  // Takes a checked tcp://HOST:PORT base over when discovery is on and HOST is a DNS
  // name: its sockets are then connected by apply(), per DNS record, instead of by
  // ZeroMQ's lookup of one address.
  bool take(const std::string& base);
  bool empty() const { return bases_.empty(); }
  // Starts the lookups; `wake` is called on the discovery thread when answers wait.
  void start(std::function<void()> wake);
  void stop();
  // Bridge thread: applies the answers that came and the grace periods that ended.
  void apply(BridgeSockets& sockets);
  // Any thread.
  std::vector<DiscoveryStatus> status() const;

 private:
  struct Base {
    std::string host;
    unsigned port = 0;
    DiscoveredEndpoints endpoints;
    DiscoveryStatus status;
  };

  std::optional<std::string> dns_host(const std::string& base) const;
  void apply_changes(BridgeSockets& sockets, const Base& base, const DiscoveredEndpoints::Changes& changes);
  void publish();

  const BridgeOptions& options_;
  std::vector<Base> bases_;  // the bridge thread's once started
  std::unique_ptr<HandlerDiscovery> lookups_;
  std::mutex inbox_mutex_;
  std::vector<std::pair<std::size_t, DnsAnswer>> inbox_;  // answers not applied yet
  mutable std::mutex published_mutex_;
  std::vector<DiscoveryStatus> published_;
};

}  // namespace zedge::bridge
