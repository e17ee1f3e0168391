// permessage-deflate negotiation, server side (RFC 7692 §5, §7.1), as Condure 1.9.1 does it
// with --compression: the first usable offer of the request's
// Sec-WebSocket-Extensions fields is taken, and the 101 echoes only the two
// *_no_context_takeover flags. The caller decides whether compression is allowed at all.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace zedge::websocket {

// Window sizes are in bits (RFC 7692 §7.1.2): 8..15, 15 being DEFLATE's 32 KB maximum.
inline constexpr int kMaxDeflateWindowBits = 15;

// The agreed parameters of a permessage-deflate connection.
struct DeflateParams {
  bool server_no_context_takeover = false;  // our deflater forgets its context after each message
  bool client_no_context_takeover = false;  // the client's messages never refer to earlier ones
  // The client's LZ77 window (what our inflater must hold) and the largest window our deflater
  // may use. Condure never answers with either parameter, so both are 15 after negotiation.
  int client_max_window_bits = kMaxDeflateWindowBits;
  int server_max_window_bits = kMaxDeflateWindowBits;

  friend bool operator==(const DeflateParams&, const DeflateParams&) = default;
};

// True if every Sec-WebSocket-Extensions field parses as an extension list the way Condure
// 1.9.1 reads it: UTF-8, comma-separated non-empty names, `;` parameters with non-empty names,
// values plain or in double quotes (no escapes). Condure closes the connection without any
// response when a field does not parse, for every request (WebSocket or not, with or without
// --compression) [observed]. `field_values`: every such field of the request, in order.
bool extension_fields_well_formed(std::span<const std::string_view> field_values);

// The parameters agreed for the first usable `permessage-deflate` offer, or nullopt when
// there is none (the connection is then uncompressed) or a field is not well-formed.
// An offer is unusable when it has an unknown or repeated parameter, a value on a
// *_no_context_takeover flag, client_max_window_bits other than empty or 8..15, or
// server_max_window_bits other than 15 (Condure's encoder always uses a 32 KB window).
// Names are case-sensitive; other extensions are ignored.
std::optional<DeflateParams> negotiate_permessage_deflate(std::span<const std::string_view> field_values);

// The value of the 101's Sec-WebSocket-Extensions field, e.g.
// `permessage-deflate; client_no_context_takeover; server_no_context_takeover`.
std::string deflate_response_value(const DeflateParams& params);

}  // namespace zedge::websocket
