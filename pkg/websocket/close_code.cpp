#include "websocket/close_code.hpp"

#include "utf8/utf8_validator.hpp"
#include "websocket/opcode.hpp"

namespace zedge::websocket {

bool is_valid_peer_close_code(std::uint16_t code) {
  if (code >= 1000 && code <= 1003) return true;
  if (code >= 1007 && code <= 1014) return true;
  return code >= 3000 && code <= 4999;
}

ClosePayloadResult parse_close_payload(std::string_view payload) {
  ClosePayloadResult result;
  if (payload.empty()) return result;
  if (payload.size() == 1) {
    result.error_code = kCloseProtocolError;
    return result;
  }
  const auto hi = static_cast<std::uint16_t>(static_cast<unsigned char>(payload[0]));
  const auto lo = static_cast<std::uint16_t>(static_cast<unsigned char>(payload[1]));
  const auto code = static_cast<std::uint16_t>((hi << 8U) | lo);
  if (!is_valid_peer_close_code(code)) {
    result.error_code = kCloseProtocolError;
    return result;
  }
  const std::string_view reason = payload.substr(2);
  utf8::Utf8Validator validator;
  if (!validator.feed(reason) || !validator.finish()) {
    result.error_code = kCloseInvalidPayload;
    return result;
  }
  result.payload.code = code;
  result.payload.reason = reason;
  return result;
}

namespace {

// Longest prefix of `s` of at most `max_bytes` that does not split a UTF-8 sequence.
std::string_view utf8_prefix(std::string_view s, std::size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  std::size_t end = max_bytes;
  // Step back over continuation bytes (10xxxxxx) to the start of the cut character.
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0U) == 0x80U) --end;
  return s.substr(0, end);
}

}  // namespace

std::string make_close_payload(std::uint16_t code, std::string_view reason) {
  constexpr std::size_t kCodeBytes = 2;
  std::string out;
  out.push_back(static_cast<char>(code >> 8U));
  out.push_back(static_cast<char>(code & 0xFFU));
  out.append(utf8_prefix(reason, kMaxControlPayloadBytes - kCodeBytes));
  return out;
}

}  // namespace zedge::websocket
