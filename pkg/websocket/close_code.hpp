// Close codes (RFC 6455 §7.4) and the payload of a close frame (§5.5.1).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace zedge::websocket {

inline constexpr std::uint16_t kCloseNormal = 1000;
inline constexpr std::uint16_t kCloseGoingAway = 1001;
inline constexpr std::uint16_t kCloseProtocolError = 1002;
inline constexpr std::uint16_t kCloseUnsupportedData = 1003;
inline constexpr std::uint16_t kCloseNoStatus = 1005;  // never on the wire
inline constexpr std::uint16_t kCloseAbnormal = 1006;  // never on the wire
inline constexpr std::uint16_t kCloseInvalidPayload = 1007;
inline constexpr std::uint16_t kClosePolicyViolation = 1008;
inline constexpr std::uint16_t kCloseMessageTooBig = 1009;
inline constexpr std::uint16_t kCloseInternalError = 1011;

// True if a peer may put `code` in a close frame: 1000–1003, 1007–1014 (1012–1014 are
// IANA-registered), and the application/library ranges 3000–4999. 1004–1006 and 1015 are
// reserved or "must not be sent" (RFC 6455 §7.4.1, §7.4.2).
bool is_valid_peer_close_code(std::uint16_t code);

struct ClosePayload {
  std::optional<std::uint16_t> code;  // absent for an empty payload
  std::string_view reason;            // views into the parsed payload
};

struct ClosePayloadResult {
  // 0 when the payload is acceptable, else the close code to answer with:
  // 1002 for a 1-byte payload or a code a peer may not send, 1007 for a reason that is
  // not UTF-8.
  std::uint16_t error_code = 0;
  ClosePayload payload;

  bool ok() const { return error_code == 0; }
};

// Parses the (unmasked) payload of a close frame received from a peer.
ClosePayloadResult parse_close_payload(std::string_view payload);

// Builds a close payload: 2-byte big-endian code then the reason, cut to fit the 125-byte
// control limit at a UTF-8 character boundary.
std::string make_close_payload(std::uint16_t code, std::string_view reason);

}  // namespace zedge::websocket
