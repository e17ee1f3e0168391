// Framing and connection facts derived from a complete request head (RFC 9112 §6, §9.3),
// and refusal of heads that are ambiguous. Internal to zedge_http1; llhttp has already
// checked the syntax when these rules run.
#pragma once

#include <optional>

#include "http1/request_parser.hpp"

namespace zedge::http1 {

// Fills body_kind, content_length, keep_alive, expect_continue and websocket_upgrade from
// head.headers and head.version_minor, or says why the request must be refused.
std::optional<RequestError> apply_head_rules(RequestHead& head);

}  // namespace zedge::http1
