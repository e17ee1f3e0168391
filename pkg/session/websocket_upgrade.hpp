// The HTTP side of a WebSocket upgrade: whether a request may be
// upgraded, the 101 head zedge writes when the handler accepts, and the plain response
// it writes when the handler rejects. Pure functions over parsed heads and packets.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http1/request_parser.hpp"
#include "zhttp/packet.hpp"

namespace zedge::session {

// nullopt if `head` is a valid upgrade request (RFC 6455 §4.2.1), else the 400 text.
std::optional<std::string> check_websocket_upgrade(const http1::RequestHead& head);

// Values of every Sec-WebSocket-Extensions field, in order (for permessage-deflate).
std::vector<std::string_view> websocket_extension_offers(const http1::RequestHead& head);

// "HTTP/1.1 101 Switching Protocols", the handler's headers except the ones zedge writes
// itself, then Upgrade, Connection, Sec-WebSocket-Accept and, when negotiated,
// Sec-WebSocket-Extensions: the bytes Condure writes.
void write_switching_protocols(const zhttp::Packet& accept, const http1::RequestHead& head, std::string_view extensions,
                               std::string& out);

// The handler's rejection (or any non-101 answer) as a plain response with
// Content-Length, after which the connection closes.
void write_upgrade_refusal(const zhttp::Packet& answer, std::string& out);

}  // namespace zedge::session
