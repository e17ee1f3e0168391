// WebSocket echo over ZHTTP: accepts every ws:// request and sends each
// message back as it came (content-type, body, more), pong for ping, close for close.
// Sans-I/O: packets in, packets out through a PacketSink; the caller owns the sockets.
//
// Credits both ways (api/zhttp.md, "WebSocket sessions"):
//  - server -> us: the accept grants kClientCreditsBytes; as messages are echoed (consumed)
//    the bytes are given back in `credit` packets, batched per kCreditReturnBytes so a
//    stream of small messages costs one extra packet per many messages, not per message.
//    Bytes still waiting for server credits are not given back, so a client that stops
//    reading stops the server from sending us more (bounded memory per session).
//  - us -> server: never more body than the server's credits (the first packet's
//    `credits` plus every `credit` packet). A message that does not fit is queued, and
//    sent in pieces with `more` as credits arrive (Condure closes the connection on
//    overflow: "received too much data from handler").
//
// Packets for sessions it does not know (lost in a restart under the same identity, or
// closed here) are answered with `cancel`, so the server ends them at once instead of
// after its session timer (see answers_unknown_with_cancel for the exceptions).
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>

#include "zhttp/packet.hpp"

namespace zedge::hello {

// Bytes of client messages granted in the accept (Pushpin grants 200,000).
inline constexpr std::int64_t kClientCreditsBytes = 256 * 1024;
// Consumed bytes are given back once this many have piled up in a session.
inline constexpr std::int64_t kCreditReturnBytes = kClientCreditsBytes / 4;

struct WsEchoCounters {
  std::uint64_t accepted = 0;
  std::uint64_t data_packets_echoed = 0;  // message pieces received and echoed (or queued)
  std::uint64_t credit_packets_sent = 0;
  std::uint64_t credit_packets_received = 0;  // Condure 1.9.1: one per echoed message
  std::uint64_t closed = 0;                   // close answered, cancel or error received
  std::uint64_t unknown_session = 0;          // packets (or ids of a batch) for unknown sessions
  std::uint64_t cancels_sent = 0;             // ... answered with cancel
};

// Where WsEcho's packets go: published to the server instance `to` ("<to> T...").
class PacketSink {
 public:
  virtual ~PacketSink() = default;
  virtual void publish(std::string_view to, const zhttp::Packet& packet) = 0;
};

class WsEcho {
 public:
  WsEcho(std::string_view from, PacketSink& sink) : from_(from), sink_(sink) {}

  static bool is_websocket(const zhttp::Packet& request);

  // First packet of a WebSocket request (is_websocket): answers 101 with credits.
  void accept(const zhttp::Packet& request);
  // A later packet from the server's ROUTER. Packets of unknown sessions are counted and,
  // when answers_unknown_with_cancel, answered with cancel.
  void on_packet(const zhttp::Packet& packet);

  // Whether a packet of this type for an unknown session gets a cancel: not a cancel or
  // an error (the session is over; answering could echo forever), and not an HTTP request
  // body (data without content-type), whose response may still be on its way to the
  // client: zedge and Condure both cut a response they are still writing on cancel.
  // (This handler grants no body credits, so bodies do not come. After its one-packet
  // answer zedge sends nothing but a cancel; Condure may send a keep-alive while it
  // closes the connection, by which time the few bytes of the answer are written.)
  static bool answers_unknown_with_cancel(const zhttp::Packet& packet);

  bool empty() const { return sessions_.empty(); }
  const WsEchoCounters& counters() const { return counters_; }

 private:
  struct QueuedPiece {
    bool binary = false;
    bool more = false;  // the message goes on in a later packet
    std::string body;
    std::size_t sent = 0;  // bytes of body already sent
  };
  struct Session {
    std::string server;  // the server instance that owns the session (its `from`)
    std::int64_t out_seq = 0;
    std::int64_t send_credits = 0;    // body bytes we may still send
    std::int64_t consumed_bytes = 0;  // echoed, not yet given back as credits
    std::deque<QueuedPiece> queue;    // waiting for send credits, in order
  };
  using SessionMap = std::unordered_map<std::string, Session>;

  void echo(const std::string& id, Session& s, const zhttp::Packet& data);
  void flush(const std::string& id, Session& s);
  void send_data(const std::string& id, Session& s, bool binary, std::string_view body, bool more);
  void give_back_credits(const std::string& id, Session& s);
  void on_unknown_session(const zhttp::Packet& packet, std::string_view id);
  // Starts packet_ addressed to the session with its next seq.
  zhttp::Packet& next_packet(const std::string& id, Session& s, zhttp::PacketType type);

  std::string_view from_;
  PacketSink& sink_;
  SessionMap sessions_;
  std::string id_key_;    // reused lookup key (std::string, so no heterogeneous hashing)
  zhttp::Packet packet_;  // reused for every packet sent
  WsEchoCounters counters_;
};

}  // namespace zedge::hello
