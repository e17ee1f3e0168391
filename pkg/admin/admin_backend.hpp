// What the admin API asks of the running server (the server implements it). Every call
// comes from the admin thread; an implementation may block it briefly (gathering worker
// reports) but never a data-path thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "admin/drain_options.hpp"
#include "metrics/metrics_snapshot.hpp"

namespace zedge::admin {

struct ListenerStatus {
  std::string address;  // "0.0.0.0:8000", or a unix socket path
  std::string mode;     // "stream" or "req"
  bool tls = false;
  bool open = true;  // false once a drain closed it
};

// Open client connections, counted three ways (each way sums to total()).
struct ConnectionCounts {
  // By protocol.
  std::uint64_t http = 0;
  std::uint64_t websocket = 0;
  // By listener mode (WebSockets are stream mode).
  std::uint64_t stream_mode = 0;
  std::uint64_t req_mode = 0;
  // By state: idle (keep-alive, between requests), active (a request in flight, stream or
  // req mode), websocket, lingering (closing after an error response).
  std::uint64_t idle = 0;
  std::uint64_t active = 0;
  std::uint64_t lingering = 0;

  std::uint64_t total() const { return http + websocket; }
  ConnectionCounts& operator+=(const ConnectionCounts& o);
};

struct WorkerStatus {
  unsigned index = 0;
  ConnectionCounts connections;
};

struct HandlerStatus {
  std::string address;               // the handler's `from` address (its ZeroMQ identity)
  double last_seen_seconds_ago = 0;  // since its last packet
};

// Handler discovery of one DNS-named tcp base (gateway mode).
struct DiscoveryBaseStatus {
  std::string base;                    // tcp://NAME:PORT as given
  std::vector<std::string> addresses;  // handlers taking new requests
  std::vector<std::string> leaving;    // gone from DNS; their replies still accepted
  std::uint64_t lookups_ok = 0;
  std::uint64_t lookups_failed = 0;
  std::string last_error;
  std::optional<double> last_success_seconds_ago;
};

struct TotalsStatus {
  std::uint64_t connections_accepted = 0;
  std::uint64_t requests = 0;
  std::uint64_t websocket_messages = 0;
  std::uint64_t client_received_bytes = 0;
  std::uint64_t client_sent_bytes = 0;
};
TotalsStatus totals_from(const metrics::MetricsSnapshot& m);

struct DrainStatus {
  bool started = false;
  // Nothing is left to do: the listeners are closed (their backlog taken) and no client
  // connection is left. A preStop hook waits for this before the handler may stop.
  bool finished = false;
  double deadline_seconds_left = 0;  // 0 when not draining or past the deadline
  DrainOptions options;              // of the running drain (ignored when not started)
};

struct StatusSnapshot {
  std::string version;
  double uptime_seconds = 0;
  std::vector<ListenerStatus> listeners;
  std::vector<WorkerStatus> workers;
  ConnectionCounts connections;                // all workers
  int handlers_connected = 0;                  // peers on the handler sockets now
  std::vector<HandlerStatus> handlers;         // handlers seen (by address), most recent first
  std::vector<DiscoveryBaseStatus> discovery;  // empty unless a base is discovered by DNS
  TotalsStatus totals;
  DrainStatus drain;  // state is "DRAINING" while drain.started, else "LIVE"
};

class AdminBackend {
 public:
  virtual ~AdminBackend() = default;
  virtual bool alive() = 0;  // event loops answered a ping recently
  // nullopt = ready; else why not ("draining", "no handler connected", ...).
  virtual std::optional<std::string> not_ready_reason() = 0;
  virtual StatusSnapshot status() = 0;
  virtual metrics::MetricsSnapshot metrics() = 0;
  virtual bool start_drain(const DrainOptions& options) = 0;  // false if already draining (409)
  virtual bool cancel_drain() = 0;                            // false if not draining (409)
  virtual void set_log_level(int level) = 0;                  // 0 error .. 4 trace
  virtual void quit() = 0;                                    // graceful: drain with the defaults, then exit
};

}  // namespace zedge::admin
