// The bridge's libzmq context and its sockets toward handlers: per stream-mode base PUSH
// (a session's first packet), ROUTER (later packets, to one handler) and SUB (what
// handlers publish), with a PAIR reading PUSH's monitor events; DEALER for req mode.
// Each binds, or connects with --zclient-connect. close() closes the sockets before
// terminating the context (which waits for what they still queue), then removes the
// socket files of ipc binds, which libzmq leaves behind (Condure removes them).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bridge/bridge_options.hpp"
#include "bridge/zmq_context.hpp"
#include "bridge/zmq_endpoints.hpp"
#include "bridge/zmq_socket.hpp"

namespace zedge::bridge {

class BridgeSockets {
 public:
  // `options` must outlive this.
  explicit BridgeSockets(const BridgeOptions& options) : options_(options) {}
  ~BridgeSockets() { close(); }
  BridgeSockets(const BridgeSockets&) = delete;
  BridgeSockets& operator=(const BridgeSockets&) = delete;

  // Creates PUSH, ROUTER and SUB with their options, SUB subscribed to our instance id,
  // and the PAIR that hears handlers come and go on PUSH.
  void open_stream();
  // Binds or connects PUSH, ROUTER and SUB to one base's endpoints. Returns an error text.
  std::optional<std::string> attach_stream(const StreamEndpoints& endpoints);
  // Creates DEALER and binds or connects it to every spec. Returns an error text.
  std::optional<std::string> open_req(const std::vector<std::string>& specs);
  // Idempotent.
  void close();

  ZmqSocket& push() { return push_; }
  ZmqSocket& router() { return router_; }
  ZmqSocket& sub() { return sub_; }
  ZmqSocket& dealer() { return dealer_; }
  // Two frames per event: 6 bytes (uint16 event, uint32 value), then the endpoint.
  ZmqSocket& push_events() { return push_events_; }

 private:
  std::optional<std::string> bind_or_connect(ZmqSocket& socket, const std::string& endpoint);
  void set_queue_options(ZmqSocket& socket);

  const BridgeOptions& options_;
  ZmqContext context_;  // declared first: the sockets below close before it terminates
  ZmqSocket push_;
  ZmqSocket router_;
  ZmqSocket sub_;
  ZmqSocket dealer_;
  ZmqSocket push_events_;
  std::vector<std::string> bound_ipc_paths_;
};

}  // namespace zedge::bridge
