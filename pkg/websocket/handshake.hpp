// Server side of the opening handshake (RFC 6455 §4.2). zedge forwards the upgrade to a
// handler, which decides acceptance; zedge writes the 101 with the accept hash, as Condure
// does.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "http1/request_parser.hpp"

namespace zedge::websocket {

// base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")), RFC 6455 §4.2.2 item 5.4.
std::string accept_key(std::string_view key);

using HeaderField = http1::HeaderField;

// True if some `Upgrade` field lists the `websocket` token (case-insensitive): the request
// asks to become a WebSocket and must then pass check_upgrade_request.
bool is_websocket_upgrade(std::span<const HeaderField> headers);

// Checks an upgrade request: method GET, `Upgrade` with websocket, exactly one non-empty
// `Sec-WebSocket-Key`, `Sec-WebSocket-Version: 13`, and no body (no Transfer-Encoding,
// Content-Length absent or 0). Returns nullopt when acceptable, else the text for a 400.
// Like Condure, the key is any non-empty string and `Connection: Upgrade` is not required.
std::optional<std::string> check_upgrade_request(std::string_view method, std::span<const HeaderField> headers);

}  // namespace zedge::websocket
