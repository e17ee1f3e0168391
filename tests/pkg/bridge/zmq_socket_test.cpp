// ZmqSocket owns exactly one libzmq socket: closed when it goes, handed over by a move,
// never closed by a moved-from object. Closing is observed from the other end, as the
// disconnect a bound socket's monitor reports.
#include "bridge/zmq_socket.hpp"

#include <gtest/gtest.h>
#include <zmq.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>

#include "bridge/zmq_context.hpp"
#include "bridge/zmq_message.hpp"

namespace zedge::bridge {
namespace {

using namespace std::chrono_literals;

// A PULL socket bound on loopback whose monitor reports peers connecting and leaving.
class BoundPeer {
 public:
  explicit BoundPeer(ZmqContext& context) : socket_(context.get(), ZMQ_PULL) {
    EXPECT_TRUE(socket_.bind("tcp://127.0.0.1:*"));
    char endpoint[256] = {};
    std::size_t size = sizeof endpoint;
    zmq_getsockopt(socket_.get(), ZMQ_LAST_ENDPOINT, endpoint, &size);
    endpoint_ = endpoint;
    zmq_socket_monitor(socket_.get(), "inproc://bound-peer-events", ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED);
    events_ = ZmqSocket(context.get(), ZMQ_PAIR);
    events_.set(ZMQ_LINGER, 0);
    EXPECT_TRUE(events_.connect("inproc://bound-peer-events"));
  }

  const std::string& endpoint() const { return endpoint_; }

  // True when the monitor reports `event` within `timeout`.
  bool saw(std::uint16_t event, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      zmq_pollitem_t item{events_.get(), 0, ZMQ_POLLIN, 0};
      if (left.count() <= 0 || zmq_poll(&item, 1, static_cast<long>(left.count())) <= 0) return false;
      ZmqMessage frame;
      if (!frame.receive(events_)) continue;
      std::uint16_t id = 0;
      if (frame.data().size() >= sizeof id) std::memcpy(&id, frame.data().data(), sizeof id);
      if (frame.more()) {
        ZmqMessage address;
        address.receive(events_, 0);
      }
      if (id == event) return true;
    }
  }

 private:
  ZmqSocket socket_;
  ZmqSocket events_;
  std::string endpoint_;
};

ZmqSocket connected_push(ZmqContext& context, BoundPeer& peer) {
  ZmqSocket push(context.get(), ZMQ_PUSH);
  push.set(ZMQ_LINGER, 0);
  EXPECT_TRUE(push.connect(peer.endpoint()));
  EXPECT_TRUE(peer.saw(ZMQ_EVENT_ACCEPTED, 5s));
  return push;
}

TEST(ZmqSocket, DefaultOwnsNothingAndEveryCallFails) {
  ZmqSocket socket;
  EXPECT_FALSE(socket);
  EXPECT_EQ(socket.get(), nullptr);
  EXPECT_FALSE(socket.set(ZMQ_LINGER, 0));
  EXPECT_FALSE(socket.set(ZMQ_SUBSCRIBE, "x"));
  EXPECT_FALSE(socket.get_int(ZMQ_LINGER));
  EXPECT_FALSE(socket.bind("inproc://nowhere"));
  EXPECT_FALSE(socket.connect("inproc://nowhere"));
  EXPECT_FALSE(socket.disconnect("inproc://nowhere"));
  EXPECT_FALSE(socket.send_now({"frame"}));
  socket.close();  // nothing to close
}

TEST(ZmqSocket, OptionsAreSetAndReadBack) {
  ZmqContext context;
  ZmqSocket sub(context.get(), ZMQ_SUB);
  ASSERT_TRUE(sub);
  EXPECT_EQ(sub.get_int(ZMQ_TYPE), ZMQ_SUB);
  EXPECT_TRUE(sub.set(ZMQ_LINGER, 7));
  EXPECT_EQ(sub.get_int(ZMQ_LINGER), 7);
  EXPECT_TRUE(sub.set(ZMQ_RCVHWM, 12));
  EXPECT_EQ(sub.get_int(ZMQ_RCVHWM), 12);
  EXPECT_TRUE(sub.set(ZMQ_SUBSCRIBE, "condure "));
  ZmqSocket push(context.get(), ZMQ_PUSH);
  EXPECT_FALSE(push.set(ZMQ_SUBSCRIBE, "condure "));  // libzmq refuses: not a SUB
  EXPECT_EQ(zmq_errno(), EINVAL);
}

TEST(ZmqSocket, ASocketOfAnUnknownTypeOwnsNothing) {
  ZmqContext context;
  EXPECT_FALSE(ZmqSocket(context.get(), -1));
}

TEST(ZmqSocket, SendsEveryPartAsOneMessage) {
  ZmqContext context;
  ZmqSocket sender(context.get(), ZMQ_PAIR);
  ZmqSocket receiver(context.get(), ZMQ_PAIR);
  ASSERT_TRUE(receiver.bind("inproc://parts"));
  ASSERT_TRUE(sender.connect("inproc://parts"));
  ASSERT_TRUE(sender.send_now({"address", "", "T frame"}));
  ZmqMessage part;
  ASSERT_TRUE(part.receive(receiver, 0));
  EXPECT_EQ(part.data(), "address");
  EXPECT_TRUE(part.more());
  ASSERT_TRUE(part.receive(receiver, 0));
  EXPECT_EQ(part.data(), "");
  EXPECT_TRUE(part.more());
  ASSERT_TRUE(part.receive(receiver, 0));
  EXPECT_EQ(part.data(), "T frame");
  EXPECT_FALSE(part.more());
  EXPECT_FALSE(part.receive(receiver));  // nothing more: not waiting
}

TEST(ZmqSocket, DestructorClosesTheSocket) {
  ZmqContext context;
  BoundPeer peer(context);
  { const ZmqSocket push = connected_push(context, peer); }
  EXPECT_TRUE(peer.saw(ZMQ_EVENT_DISCONNECTED, 5s));
}

TEST(ZmqSocket, CloseClosesOnceAndLeavesItEmpty) {
  ZmqContext context;
  BoundPeer peer(context);
  ZmqSocket push = connected_push(context, peer);
  push.close();
  EXPECT_FALSE(push);
  EXPECT_TRUE(peer.saw(ZMQ_EVENT_DISCONNECTED, 5s));
  push.close();  // again: nothing left to close
}

TEST(ZmqSocket, MoveHandsTheSocketOverAndTheMovedFromOneClosesNothing) {
  ZmqContext context;
  BoundPeer peer(context);
  ZmqSocket kept;
  void* raw = nullptr;
  {
    ZmqSocket push = connected_push(context, peer);
    raw = push.get();
    ZmqSocket moved(std::move(push));
    EXPECT_FALSE(push);  // NOLINT(bugprone-use-after-move): emptiness is the point
    kept = std::move(moved);
  }
  EXPECT_EQ(kept.get(), raw);
  EXPECT_FALSE(peer.saw(ZMQ_EVENT_DISCONNECTED, 300ms));
  EXPECT_TRUE(kept.send_now({"still connected"}));
  kept.close();
  EXPECT_TRUE(peer.saw(ZMQ_EVENT_DISCONNECTED, 5s));
}

TEST(ZmqSocket, MoveAssignmentClosesTheSocketItReplaces) {
  ZmqContext context;
  BoundPeer peer(context);
  ZmqSocket push = connected_push(context, peer);
  push = ZmqSocket(context.get(), ZMQ_PUSH);
  EXPECT_TRUE(push);
  EXPECT_TRUE(peer.saw(ZMQ_EVENT_DISCONNECTED, 5s));
}

TEST(ZmqContext, TerminatesOnceItsSocketsAreClosed) {
  ZmqContext context;
  ASSERT_NE(context.get(), nullptr);
  { const ZmqSocket pair(context.get(), ZMQ_PAIR); }
  context.terminate();  // returns: the socket closed with its owner
  EXPECT_EQ(context.get(), nullptr);
  context.terminate();  // again: nothing to do
}

}  // namespace
}  // namespace zedge::bridge
