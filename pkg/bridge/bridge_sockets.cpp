#include "bridge/bridge_sockets.hpp"

#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

namespace zedge::bridge {
namespace {

constexpr const char* kPushMonitorEndpoint = "inproc://zedge-push-monitor";

}  // namespace

void BridgeSockets::open_stream() {
  push_ = ZmqSocket(context_.get(), ZMQ_PUSH);
  router_ = ZmqSocket(context_.get(), ZMQ_ROUTER);
  sub_ = ZmqSocket(context_.get(), ZMQ_SUB);
  // Unroutable ROUTER sends must fail (EHOSTUNREACH) rather than vanish silently.
  router_.set(ZMQ_ROUTER_MANDATORY, 1);
  // A handler restarted under the same identity takes its route over. Without this,
  // libzmq ignores a peer whose identity is still held by the old connection's pipe,
  // for good: every later packet to that handler is unroutable (found by the soak;
  // Condure 1.9.1 has the same failure).
  router_.set(ZMQ_ROUTER_HANDOVER, 1);
  for (ZmqSocket* socket : {&push_, &router_, &sub_}) set_queue_options(*socket);
  // Watch handlers come and go on PUSH (accepted: we bind; connected: we connect).
  zmq_socket_monitor(push_.get(), kPushMonitorEndpoint,
                     ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_CONNECTED | ZMQ_EVENT_DISCONNECTED);
  push_events_ = ZmqSocket(context_.get(), ZMQ_PAIR);
  push_events_.set(ZMQ_LINGER, 0);
  push_events_.connect(kPushMonitorEndpoint);
  sub_.set(ZMQ_SUBSCRIBE, options_.instance_id + " ");
}

std::optional<std::string> BridgeSockets::attach_stream(const StreamEndpoints& endpoints) {
  if (auto error = bind_or_connect(push_, endpoints.out)) return error;
  if (auto error = bind_or_connect(router_, endpoints.out_stream)) return error;
  return bind_or_connect(sub_, endpoints.in);
}

std::optional<std::string> BridgeSockets::open_req(const std::vector<std::string>& specs) {
  dealer_ = ZmqSocket(context_.get(), ZMQ_DEALER);
  set_queue_options(dealer_);
  for (const auto& spec : specs) {
    if (auto error = bind_or_connect(dealer_, spec)) return error;
  }
  return std::nullopt;
}

void BridgeSockets::close() {
  if (push_) zmq_socket_monitor(push_.get(), nullptr, 0);
  for (ZmqSocket* socket : {&push_events_, &push_, &router_, &sub_, &dealer_}) socket->close();
  context_.terminate();  // waits up to the linger time for queued packets
  for (const auto& path : bound_ipc_paths_) ::unlink(path.c_str());
  bound_ipc_paths_.clear();
}

std::optional<std::string> BridgeSockets::bind_or_connect(ZmqSocket& socket, const std::string& endpoint) {
  const auto failed = [&endpoint](const char* what) {
    return std::string("zhttp client ") + what + " " + endpoint + ": " + zmq_strerror(zmq_errno());
  };
  if (options_.connect) {
    if (!socket.connect(endpoint)) return failed("connect");
    return std::nullopt;
  }
  if (!socket.bind(endpoint)) return failed("bind");
  const std::string path = ipc_path(endpoint);
  if (!path.empty()) {
    bound_ipc_paths_.push_back(path);
    if (options_.ipc_file_mode && *options_.ipc_file_mode != 0) {
      ::chmod(path.c_str(), static_cast<mode_t>(*options_.ipc_file_mode));
    }
  }
  return std::nullopt;
}

void BridgeSockets::set_queue_options(ZmqSocket& socket) {
  socket.set(ZMQ_SNDHWM, options_.high_water_mark);
  socket.set(ZMQ_RCVHWM, options_.high_water_mark);
  socket.set(ZMQ_LINGER, options_.linger_ms);
}

}  // namespace zedge::bridge
