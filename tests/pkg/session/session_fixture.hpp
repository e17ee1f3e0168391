// Shared fixture for the session tests: drives one connection's session the way pkg/server's
// HttpConnection does: an HttpSession first, replaced by its WebSocketSession when the
// handler accepts an upgrade; unconsumed client bytes are offered again after every event, one
// write batch at a time, records every ZHTTP frame the session sends, and runs on an
// explicit fake clock. Frames and HTTP bytes in the tests are written out in full.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "session/http_session.hpp"
#include "zhttp/packet.hpp"

namespace zedge::session::testing {

using namespace std::chrono_literals;

// One frame the session handed to its PacketSink.
struct Sent {
  Route route;
  std::string address;  // handler identity for StreamReply, else empty
  std::string frame;
  friend bool operator==(const Sent&, const Sent&) = default;
};

inline std::ostream& operator<<(std::ostream& os, const Sent& s) {
  const char* route = s.route == Route::StreamInit ? "PUSH" : s.route == Route::StreamReply ? "ROUTER" : "DEALER";
  return os << route << "[" << s.address << "] " << s.frame;
}

// First packet of a stream session (PUSH socket).
inline Sent push(std::string frame) { return Sent{Route::StreamInit, "", std::move(frame)}; }
// Later stream packets, addressed to a handler identity (ROUTER socket).
inline Sent router(std::string address, std::string frame) {
  return Sent{Route::StreamReply, std::move(address), std::move(frame)};
}
// Req-mode request (DEALER socket).
inline Sent dealer(std::string frame) { return Sent{Route::Req, "", std::move(frame)}; }

class RecordingSink : public PacketSink {
 public:
  void send_packet(Route route, std::string_view address, std::string frame) override {
    packets.push_back(Sent{route, std::string(address), std::move(frame)});
  }
  std::vector<Sent> packets;
};

class SessionTest : public ::testing::Test {
 protected:
  // The fake clock starts here; the session is created at t0.
  const Clock::time_point t0 = Clock::time_point{} + std::chrono::hours(1);

  // Creates the session; tests change settings_ before calling it.
  void start() {
    // A fresh connection: nothing left over from an earlier start() in the same test.
    now_ = t0;
    input_.clear();
    sink_.packets.clear();
    ticket_ = 0;
    id_counter_ = 0;
    session_ = std::make_unique<HttpSession>(
        settings_, PeerInfo{"127.0.0.1", 40000}, sink_, [this] { return next_id(); }, now_);
  }

  SessionPhase& session() { return *session_; }

  // Request ids as zedge's worker 0, slot 0 makes them: "0-0-<counter hex>".
  std::string next_id() {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    std::size_t n = id_counter_++;
    do {
      hex.insert(hex.begin(), kHex[n % 16]);
      n /= 16;
    } while (n != 0);
    return "0-0-" + hex;
  }

  // ---- clock
  void advance(Clock::duration d) { now_ += d; }
  void at(Clock::duration since_t0) { now_ = t0 + since_t0; }
  void tick() {
    session_->on_tick(now_);
    pump();
  }

  // ---- client
  // Bytes from the client join the unconsumed input, which is offered to the session.
  void client(std::string_view bytes) {
    input_ += bytes;
    pump();
  }
  // Offers unconsumed input again, as the server does after every event.
  void pump() {
    if (!input_.empty()) input_.erase(0, session_->on_client_bytes(input_, now_));
  }
  // Client bytes the session has not consumed yet.
  const std::string& unconsumed() const { return input_; }
  void client_closes() { session_->on_client_closed(); }

  // ---- handler
  // A handler frame, written out in full, arrives over SUB (the "<id> " prefix already
  // stripped by the bridge).
  void handler(std::string_view frame) {
    zhttp::Packet packet;
    ASSERT_EQ(zhttp::parse(frame, packet), zhttp::ParseError::None) << frame;
    ASSERT_FALSE(packet.ids.empty());
    session_->on_handler_packet(packet, packet.ids.front(), now_);
    adopt_next_phase(session_);
    pump();
  }
  void handlers_available(bool available) {
    session_->on_handlers_available(available, now_);
    pump();
  }

  // ---- output to the client
  // Takes the pending output as one write batch (empty if none); written() completes it.
  std::string take() {
    std::string out;
    if (!session_->has_output()) return out;
    ticket_ = session_->take_output(out);
    return out;
  }
  void written() {
    session_->on_written(ticket_, now_);
    ticket_ = 0;
    pump();
  }
  // One whole write: take() then written().
  std::string write() {
    if (!session_->has_output()) return {};
    std::string out = take();
    written();
    return out;
  }

  // Frames sent since the last call.
  std::vector<Sent> sent() {
    std::vector<Sent> packets = std::move(sink_.packets);
    sink_.packets.clear();
    return packets;
  }

  SessionSettings settings_;
  RecordingSink sink_;
  Clock::time_point now_ = t0;

 private:
  std::unique_ptr<SessionPhase> session_;
  std::string input_;
  std::size_t ticket_ = 0;
  std::size_t id_counter_ = 0;
};

}  // namespace zedge::session::testing
