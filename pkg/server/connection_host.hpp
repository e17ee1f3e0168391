// What a connection needs from the worker that owns it, and nothing more: ids for its
// requests, a buffer to read into, the way to the handlers (with its backpressure), a
// place to linger, its slot and the counters. Worker implements it; unit tests drive a
// connection with a fake. All calls happen on the thread that runs the connection.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "bridge/messages.hpp"
#include "metrics/worker_metrics.hpp"
#include "session/session_types.hpp"

namespace zedge::server {

class HttpConnection;

class ConnectionHost {
 public:
  virtual ~ConnectionHost() = default;

  // "<worker>-<slot>-<counter hex>": the slot lets packets for the id find the connection.
  virtual std::string next_request_id(std::uint32_t slot) = 0;
  // Shared by the host's connections, which read into it and keep only what arrived. Its
  // size (--buffer-size) is also the most unconsumed input a connection holds.
  virtual std::span<char> read_scratch() = 0;
  // Whether a handler is connected to take a new request.
  virtual bool handlers_available() const = 0;

  // ---- toward the handlers
  virtual void send_to_bridge(bridge::ToBridge message) = 0;
  // True while packets wait for room toward the bridge: connections then stop reading
  // clients, so memory stays bounded.
  virtual bool backlogged() const = 0;
  // Calls connection->resume_reading() once the backlog has cleared.
  virtual void resume_when_room(std::shared_ptr<HttpConnection> connection) = 0;

  // ---- the end of a connection
  // A connection closing after an error response keeps reading briefly after its slot
  // is released; the host keeps it alive until stop_lingering().
  virtual void keep_lingering(std::shared_ptr<HttpConnection> connection) = 0;
  virtual void stop_lingering(HttpConnection* connection) = 0;
  // The connection is finished: its slot, and its place under the mode's limit, are free.
  virtual void release(std::uint32_t slot, session::Mode mode) = 0;
  // A session closed before its handler's first packet: that packet gets `cancel`.
  virtual void remember_abandoned(const std::string& id) = 0;

  virtual metrics::WorkerMetrics& metrics() = 0;
};

}  // namespace zedge::server
