#include "session/request_packet.hpp"

#include "zhttp/packet.hpp"

namespace zedge::session {
namespace {

std::string_view host_or_localhost(const http1::RequestHead& head) {
  const auto* host = head.find("Host");
  return host != nullptr ? std::string_view(host->value) : std::string_view("localhost");
}

void add_headers(const http1::RequestHead& head, zhttp::Packet& p) {
  // Condure leaves the field out of a request that had no headers at all.
  p.has_headers = !head.headers.empty();
  p.headers.reserve(head.headers.size());
  for (const auto& h : head.headers) p.headers.push_back({h.name, h.value});
}

void add_peer(const RequestContext& ctx, zhttp::Packet& p) {
  if (ctx.peer != nullptr && !ctx.peer->address.empty()) {
    p.peer_address = ctx.peer->address;
    p.peer_port = ctx.peer->port;
  }
}

zhttp::Packet session_packet(std::string_view from, std::string_view id, std::int64_t seq) {
  zhttp::Packet p;
  p.from = from;
  p.ids.push_back({id, seq});
  p.ext_multi = true;  // Condure advertises multi-id support on every packet
  return p;
}

}  // namespace

std::string request_uri(const http1::RequestHead& head, bool secure) {
  const bool websocket = head.websocket_upgrade;
  const std::string_view target = head.target;
  if (target.rfind("http://", 0) == 0 || target.rfind("https://", 0) == 0) return std::string(target);
  std::string uri;
  uri.reserve(16 + target.size());
  uri += websocket ? (secure ? "wss://" : "ws://") : (secure ? "https://" : "http://");
  uri += host_or_localhost(head);
  uri += target;
  return uri;
}

std::string stream_request_frame(const RequestContext& ctx, const http1::RequestHead& head, std::string_view uri,
                                 std::int64_t credits, bool more) {
  zhttp::Packet p = session_packet(ctx.instance_id, ctx.request_id, 0);
  p.method = head.method;
  p.uri = uri;
  add_headers(head, p);
  p.credits = credits;
  p.stream = !head.websocket_upgrade;  // never on WebSocket requests
  p.more = more;
  add_peer(ctx, p);
  return zhttp::encode(p);
}

std::string req_request_frame(const RequestContext& ctx, const http1::RequestHead& head, std::string_view uri,
                              std::string_view body) {
  zhttp::Packet p;
  p.ids.push_back({ctx.request_id, std::nullopt});
  p.ext_multi = true;
  p.method = head.method;
  p.uri = uri;
  add_headers(head, p);
  if (!body.empty()) {
    p.has_body = true;
    p.body = body;
  }
  add_peer(ctx, p);
  return zhttp::encode(p);
}

std::string body_frame(std::string_view from, std::string_view id, std::int64_t seq, std::string_view body, bool more) {
  zhttp::Packet p = session_packet(from, id, seq);
  p.has_body = !body.empty();
  p.body = body;
  p.more = more;
  return zhttp::encode(p);
}

std::string credit_frame(std::string_view from, std::string_view id, std::int64_t seq, std::int64_t credits) {
  zhttp::Packet p = session_packet(from, id, seq);
  p.type = zhttp::PacketType::Credit;
  p.credits = credits;
  return zhttp::encode(p);
}

std::string control_frame(std::string_view from, std::string_view id, std::int64_t seq, zhttp::PacketType type) {
  zhttp::Packet p = session_packet(from, id, seq);
  p.type = type;
  return zhttp::encode(p);
}

std::string ws_data_frame(std::string_view from, std::string_view id, std::int64_t seq, bool binary,
                          std::string_view body, bool more) {
  zhttp::Packet p = session_packet(from, id, seq);
  p.content_type = binary ? "binary" : "text";
  p.body = body;
  p.more = more;
  return zhttp::encode(p);
}

std::string ws_close_frame(std::string_view from, std::string_view id, std::int64_t seq,
                           std::optional<std::uint16_t> code, std::string_view reason) {
  zhttp::Packet p = session_packet(from, id, seq);
  p.type = zhttp::PacketType::Close;
  if (code) p.code = *code;
  p.body = reason;
  return zhttp::encode(p);
}

std::string ws_ping_pong_frame(std::string_view from, std::string_view id, std::int64_t seq, zhttp::PacketType type,
                               std::string_view body) {
  zhttp::Packet p = session_packet(from, id, seq);
  p.type = type;
  p.body = body;
  return zhttp::encode(p);
}

}  // namespace zedge::session
