// What the ZeroMQ bridge is asked to do (from the command line), and what it reports
// about handler discovery.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

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
  std::string discovery_dns_server;                  // "ip:port"; empty: the system's
  std::chrono::milliseconds discovery_grace{30000};  // a vanished handler's replies still arrive
  // Called on the bridge thread each time the number of handlers connected to PUSH
  // changes, with the new number (readiness follows handlers without sampling them).
  std::function<void(int connected)> handlers_changed;
};

// One discovered tcp base, for the admin API.
struct DiscoveryStatus {
  std::string base;                    // as given: tcp://NAME:PORT
  std::vector<std::string> addresses;  // handlers taking new requests
  std::vector<std::string> leaving;    // gone from DNS, replies still accepted
  std::uint64_t lookups_ok = 0;
  std::uint64_t lookups_failed = 0;
  std::string last_error;  // of the latest lookup ("" when it succeeded)
  std::optional<std::chrono::steady_clock::time_point> last_success;
};

}  // namespace zedge::bridge
