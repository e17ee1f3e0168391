// One received libzmq message part, released by the destructor. Receiving again into the
// same object releases the part it held.
#pragma once

#include <zmq.h>

#include <string_view>

#include "bridge/zmq_socket.hpp"

namespace zedge::bridge {

class ZmqMessage {
 public:
  ZmqMessage() { zmq_msg_init(&message_); }
  ~ZmqMessage() { zmq_msg_close(&message_); }
  ZmqMessage(const ZmqMessage&) = delete;
  ZmqMessage& operator=(const ZmqMessage&) = delete;

  // False when nothing is there (without ZMQ_DONTWAIT in `flags`: waits for a part).
  bool receive(const ZmqSocket& socket, int flags = ZMQ_DONTWAIT) {
    return zmq_msg_recv(&message_, socket.get(), flags) >= 0;
  }
  // Valid until the next receive() or the destructor.
  std::string_view data() { return {static_cast<const char*>(zmq_msg_data(&message_)), zmq_msg_size(&message_)}; }
  bool more() const { return zmq_msg_more(&message_) != 0; }

 private:
  zmq_msg_t message_;
};

}  // namespace zedge::bridge
