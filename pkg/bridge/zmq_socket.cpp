#include "bridge/zmq_socket.hpp"

#include <zmq.h>

#include <utility>

namespace zedge::bridge {

ZmqSocket::ZmqSocket(void* context, int type) : handle_(zmq_socket(context, type)) {}

ZmqSocket::ZmqSocket(ZmqSocket&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}

ZmqSocket& ZmqSocket::operator=(ZmqSocket&& other) noexcept {
  if (this != &other) {
    close();
    handle_ = std::exchange(other.handle_, nullptr);
  }
  return *this;
}

bool ZmqSocket::set(int option, int value) {
  return handle_ != nullptr && zmq_setsockopt(handle_, option, &value, sizeof value) == 0;
}

bool ZmqSocket::set(int option, std::string_view value) {
  return handle_ != nullptr && zmq_setsockopt(handle_, option, value.data(), value.size()) == 0;
}

std::optional<int> ZmqSocket::get_int(int option) const {
  int value = 0;
  std::size_t size = sizeof value;
  if (handle_ == nullptr || zmq_getsockopt(handle_, option, &value, &size) != 0) return std::nullopt;
  return value;
}

bool ZmqSocket::bind(const std::string& endpoint) {
  return handle_ != nullptr && zmq_bind(handle_, endpoint.c_str()) == 0;
}

bool ZmqSocket::connect(const std::string& endpoint) {
  return handle_ != nullptr && zmq_connect(handle_, endpoint.c_str()) == 0;
}

bool ZmqSocket::disconnect(const std::string& endpoint) {
  return handle_ != nullptr && zmq_disconnect(handle_, endpoint.c_str()) == 0;
}

bool ZmqSocket::send_now(std::initializer_list<std::string_view> parts) {
  if (handle_ == nullptr) return false;
  std::size_t i = 0;
  for (const auto part : parts) {
    const int flags = ZMQ_DONTWAIT | (++i < parts.size() ? ZMQ_SNDMORE : 0);
    if (zmq_send(handle_, part.data(), part.size(), flags) < 0) return false;
  }
  return true;
}

void ZmqSocket::close() {
  if (handle_ != nullptr) zmq_close(std::exchange(handle_, nullptr));
}

}  // namespace zedge::bridge
