// Builds the ZHTTP packets zedge sends for an HTTP request, exactly as Condure does
// (api/zhttp.md, "Packets"). Pure: no sockets, no state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "http1/request_parser.hpp"
#include "zhttp/packet.hpp"

namespace zedge::session {

struct PeerInfo {
  std::string address;  // empty for unix-socket listeners (no peer fields then)
  std::uint16_t port = 0;
};

struct RequestContext {
  std::string_view instance_id;  // "from"
  std::string_view request_id;   // "<worker>-<slot>-<counter hex>"
  bool secure = false;           // TLS listener: https/wss
  const PeerInfo* peer = nullptr;
};

// uri = scheme://<Host or "localhost"><target>; an absolute-form target is kept as is.
std::string request_uri(const http1::RequestHead& head, bool secure);

// First stream-mode packet: no body; `more` when a body follows.
std::string stream_request_frame(const RequestContext& ctx, const http1::RequestHead& head, std::string_view uri,
                                 std::int64_t credits, bool more);

// Req-mode packet: whole body inline, no from/seq/credits/stream.
std::string req_request_frame(const RequestContext& ctx, const http1::RequestHead& head, std::string_view uri,
                              std::string_view body);

// Later stream-mode packets from zedge to the handler.
std::string body_frame(std::string_view from, std::string_view id, std::int64_t seq, std::string_view body, bool more);
std::string credit_frame(std::string_view from, std::string_view id, std::int64_t seq, std::int64_t credits);
// cancel, keep-alive, handoff-proceed: packets with nothing but a type.
std::string control_frame(std::string_view from, std::string_view id, std::int64_t seq, zhttp::PacketType type);

// WebSocket packets: a piece of a text or binary message, a close with
// the client's code and reason (no code when its close frame had none), a ping or pong.
std::string ws_data_frame(std::string_view from, std::string_view id, std::int64_t seq, bool binary,
                          std::string_view body, bool more);
std::string ws_close_frame(std::string_view from, std::string_view id, std::int64_t seq,
                           std::optional<std::uint16_t> code, std::string_view reason);
std::string ws_ping_pong_frame(std::string_view from, std::string_view id, std::int64_t seq, zhttp::PacketType type,
                               std::string_view body);

}  // namespace zedge::session
