// Owns a libzmq context. Terminating it waits until every socket made in it is closed
// and what they queued is sent or has lingered out, so its sockets must be closed first.
#pragma once

#include <zmq.h>

#include <utility>

namespace zedge::bridge {

class ZmqContext {
 public:
  ZmqContext() : handle_(zmq_ctx_new()) {}
  ~ZmqContext() { terminate(); }
  ZmqContext(const ZmqContext&) = delete;
  ZmqContext& operator=(const ZmqContext&) = delete;

  // nullptr once terminated.
  void* get() const { return handle_; }
  void terminate() {
    if (handle_ != nullptr) zmq_ctx_term(std::exchange(handle_, nullptr));
  }

 private:
  void* handle_;
};

}  // namespace zedge::bridge
