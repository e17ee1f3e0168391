// Owns one libzmq socket: move-only and closed by its destructor, so no way out of the
// bridge (an open() that fails halfway included) leaks a socket or closes one twice.
// The helpers return false on failure, the reason being in zmq_errno().
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace zedge::bridge {

class ZmqSocket {
 public:
  ZmqSocket() = default;  // owns no socket
  // zmq_socket(context, type); owns no socket if libzmq refused.
  ZmqSocket(void* context, int type);
  ~ZmqSocket() { close(); }
  ZmqSocket(ZmqSocket&& other) noexcept;
  ZmqSocket& operator=(ZmqSocket&& other) noexcept;
  ZmqSocket(const ZmqSocket&) = delete;
  ZmqSocket& operator=(const ZmqSocket&) = delete;

  explicit operator bool() const { return handle_ != nullptr; }
  // The raw handle for zmq_poll and zmq_msg_recv; nullptr when empty.
  void* get() const { return handle_; }

  bool set(int option, int value);
  bool set(int option, std::string_view value);  // ZMQ_SUBSCRIBE and other byte options
  std::optional<int> get_int(int option) const;

  bool bind(const std::string& endpoint);
  bool connect(const std::string& endpoint);
  bool disconnect(const std::string& endpoint);
  // Sends the parts as one message without waiting: false when libzmq cannot take it now
  // (EAGAIN) or, on ROUTER with ZMQ_ROUTER_MANDATORY, knows no such peer (EHOSTUNREACH).
  bool send_now(std::initializer_list<std::string_view> parts);

  // What is queued still goes out for up to ZMQ_LINGER, as long as the context lives.
  void close();

 private:
  void* handle_ = nullptr;
};

}  // namespace zedge::bridge
