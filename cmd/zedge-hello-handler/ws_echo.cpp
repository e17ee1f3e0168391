#include "ws_echo.hpp"

#include <algorithm>

namespace zedge::hello {
namespace {

constexpr std::int64_t kStatusSwitchingProtocols = 101;
constexpr std::string_view kReasonSwitchingProtocols = "Switching Protocols";
constexpr std::string_view kContentTypeText = "text";
constexpr std::string_view kContentTypeBinary = "binary";

bool starts_with(std::string_view s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

// Condure rebuilds the URI with a ws/wss scheme for upgrades.
bool WsEcho::is_websocket(const zhttp::Packet& request) {
  return starts_with(request.uri, "ws://") || starts_with(request.uri, "wss://");
}

zhttp::Packet& WsEcho::next_packet(const std::string& id, Session& s, zhttp::PacketType type) {
  packet_.reset();
  packet_.from = from_;
  packet_.ids.push_back(zhttp::IdSeq{id, s.out_seq++});
  packet_.type = type;
  return packet_;
}

void WsEcho::accept(const zhttp::Packet& request) {
  // A reused id (the server restarted) starts over.
  auto [it, inserted] = sessions_.insert_or_assign(std::string(request.id()), Session{});
  Session& s = it->second;
  s.server = request.from;
  s.send_credits = request.credits.value_or(0);
  zhttp::Packet& p = next_packet(it->first, s, zhttp::PacketType::Data);
  p.code = kStatusSwitchingProtocols;
  p.reason = kReasonSwitchingProtocols;
  p.credits = kClientCreditsBytes;
  sink_.publish(s.server, p);
  ++counters_.accepted;
}

bool WsEcho::answers_unknown_with_cancel(const zhttp::Packet& packet) {
  switch (packet.type) {
    case zhttp::PacketType::Cancel:
    case zhttp::PacketType::Error: return false;
    case zhttp::PacketType::Data: return !packet.content_type.empty();
    default: return true;
  }
}

void WsEcho::on_packet(const zhttp::Packet& packet) {
  // Keep-alives (batched: one packet for many sessions) ask nothing of a known session;
  // the ids we do not know are how a restarted handler learns what it lost.
  if (packet.type == zhttp::PacketType::KeepAlive || packet.ids.size() != 1) {
    for (const zhttp::IdSeq& addressed : packet.ids) {
      id_key_.assign(addressed.id);
      if (!sessions_.contains(id_key_)) on_unknown_session(packet, addressed.id);
    }
    return;
  }
  id_key_.assign(packet.id());
  const auto it = sessions_.find(id_key_);
  if (it == sessions_.end()) {
    on_unknown_session(packet, packet.id());
    return;
  }
  const std::string& id = it->first;
  Session& s = it->second;
  // The server answers to the address of each of its packets (the `from` of the latest
  // packet: that is how handoff works).
  if (!packet.from.empty() && packet.from != s.server) s.server = packet.from;

  switch (packet.type) {
    case zhttp::PacketType::Data: echo(id, s, packet); break;
    case zhttp::PacketType::Credit:
      ++counters_.credit_packets_received;
      s.send_credits += packet.credits.value_or(0);
      flush(id, s);
      break;
    case zhttp::PacketType::Ping: {
      // Control frames are not counted against credits.
      zhttp::Packet& p = next_packet(id, s, zhttp::PacketType::Pong);
      p.body = packet.body;
      sink_.publish(s.server, p);
      break;
    }
    case zhttp::PacketType::Close: {
      zhttp::Packet& p = next_packet(id, s, zhttp::PacketType::Close);
      p.code = packet.code;
      p.body = packet.body;
      sink_.publish(s.server, p);
      sessions_.erase(it);
      ++counters_.closed;
      break;
    }
    case zhttp::PacketType::Cancel:
    case zhttp::PacketType::Error:
      sessions_.erase(it);
      ++counters_.closed;
      break;
    default: break;  // pong, handoff-*: nothing to do
  }
}

// The cancel Pushpin sends for a request id it will not take: from, id, type. No seq: the
// one the server expects next is unknown here, and a seq is checked only when present.
void WsEcho::on_unknown_session(const zhttp::Packet& packet, std::string_view id) {
  ++counters_.unknown_session;
  if (!answers_unknown_with_cancel(packet) || packet.from.empty()) return;
  packet_.reset();
  packet_.from = from_;
  packet_.ids.push_back(zhttp::IdSeq{id, std::nullopt});
  packet_.type = zhttp::PacketType::Cancel;
  sink_.publish(packet.from, packet_);
  ++counters_.cancels_sent;
}

void WsEcho::echo(const std::string& id, Session& s, const zhttp::Packet& data) {
  ++counters_.data_packets_echoed;
  const bool binary = data.content_type == kContentTypeBinary;
  const auto size = static_cast<std::int64_t>(data.body.size());
  if (s.queue.empty() && size <= s.send_credits) {
    // The common case: straight from the received frame, nothing copied.
    send_data(id, s, binary, data.body, data.more);
  } else {
    s.queue.push_back(QueuedPiece{binary, data.more, std::string(data.body), 0});
    flush(id, s);
  }
  give_back_credits(id, s);
}

// Sends what credits allow, splitting a piece that does not fit (its head goes with
// `more`, the rest later as the same message's continuation).
void WsEcho::flush(const std::string& id, Session& s) {
  while (!s.queue.empty()) {
    QueuedPiece& piece = s.queue.front();
    const std::size_t left = piece.body.size() - piece.sent;
    if (left > 0 && s.send_credits <= 0) break;
    const std::size_t n = std::min(left, static_cast<std::size_t>(s.send_credits));
    const bool whole = n == left;
    send_data(id, s, piece.binary, std::string_view(piece.body).substr(piece.sent, n), !whole || piece.more);
    piece.sent += n;
    if (!whole) break;
    s.queue.pop_front();
  }
  give_back_credits(id, s);
}

void WsEcho::send_data(const std::string& id, Session& s, bool binary, std::string_view body, bool more) {
  zhttp::Packet& p = next_packet(id, s, zhttp::PacketType::Data);
  p.content_type = binary ? kContentTypeBinary : kContentTypeText;
  p.body = body;
  p.more = more;
  sink_.publish(s.server, p);
  const auto size = static_cast<std::int64_t>(body.size());
  s.send_credits -= size;
  s.consumed_bytes += size;
}

void WsEcho::give_back_credits(const std::string& id, Session& s) {
  if (s.consumed_bytes < kCreditReturnBytes) return;
  zhttp::Packet& p = next_packet(id, s, zhttp::PacketType::Credit);
  p.credits = s.consumed_bytes;
  sink_.publish(s.server, p);
  s.consumed_bytes = 0;
  ++counters_.credit_packets_sent;
}

}  // namespace zedge::hello
