// Handler discovery for gateway mode: which handler addresses the ZeroMQ sockets
// of one tcp base are connected to, given each DNS answer. Sans-I/O: answers and the clock
// in, connect/disconnect instructions out; the bridge applies them.
//
// A vanished address stops getting new requests at once (PUSH disconnects) but stays
// reachable on ROUTER and SUB for a grace period, so replies to requests it already has
// still arrive; a failed lookup changes nothing.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace zedge::bridge {

class DiscoveredEndpoints {
 public:
  using Clock = std::chrono::steady_clock;

  struct Changes {
    std::vector<std::string> connect_push;    // addresses (IP text) to connect PUSH to
    std::vector<std::string> connect_others;  // ... ROUTER and SUB to
    std::vector<std::string> disconnect_push;
    std::vector<std::string> disconnect_others;
    bool empty() const {
      return connect_push.empty() && connect_others.empty() && disconnect_push.empty() && disconnect_others.empty();
    }
  };

  explicit DiscoveredEndpoints(std::chrono::milliseconds grace) : grace_(grace) {}

  // A successful lookup: `addresses` are all the records now (order and duplicates ignored).
  Changes update(const std::vector<std::string>& addresses, Clock::time_point now);
  // Addresses gone longer than the grace period leave ROUTER and SUB too.
  Changes expire(Clock::time_point now);

  // Addresses taking new requests (connected on PUSH), sorted.
  std::vector<std::string> live() const;
  // Addresses gone from DNS but still connected on ROUTER/SUB, sorted.
  std::vector<std::string> leaving() const;

 private:
  std::chrono::milliseconds grace_;
  std::map<std::string, bool> live_;                  // address -> (unused) connected on all
  std::map<std::string, Clock::time_point> leaving_;  // address -> when it left DNS
};

}  // namespace zedge::bridge
