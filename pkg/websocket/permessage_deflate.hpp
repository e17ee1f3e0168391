// permessage-deflate (RFC 7692), sans-I/O: negotiation of the extension in the opening
// handshake, and per-message compression and decompression of frame payloads with zlib.
// Framing (RSV1 on a message's first frame, RFC 7692 §6) stays with the caller.
#pragma once

#include "websocket/deflate_negotiation.hpp"  // IWYU pragma: export
#include "websocket/message_deflater.hpp"     // IWYU pragma: export
#include "websocket/message_inflater.hpp"     // IWYU pragma: export
