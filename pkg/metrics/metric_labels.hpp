// The bounded label values of zedge's metrics: each enum is a label, each enumerator one
// value, so a series count is fixed at compile time (never an
// unbounded label).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace zedge::metrics {

enum class Protocol : std::uint8_t { Http, WebSocket };
inline constexpr std::size_t kProtocolCount = 2;

// WebSocket messages, seen from the client: read from it, or written to it.
enum class MessageDirection : std::uint8_t { FromClient, ToClient };
// ZHTTP packets, seen from the handler: sent to it, or received from it.
enum class PacketDirection : std::uint8_t { ToHandler, FromHandler };
inline constexpr std::size_t kDirectionCount = 2;

// ZHTTP packet types, as on the wire (zhttp::PacketType, same order).
enum class PacketKind : std::uint8_t {
  Data,
  Error,
  Credit,
  KeepAlive,
  Cancel,
  HandoffStart,
  HandoffProceed,
  Close,
  Ping,
  Pong,
};
inline constexpr std::size_t kPacketKindCount = 10;

// Why a connection ended: session::CloseReason without None (same order and names), then
// the ends of a tls connection whose handshake never completed (it had no session).
enum class CloseKind : std::uint8_t {
  Done,
  ClientGone,
  HandlerEnded,
  ProtocolError,
  CreditOverrun,
  ClientError,
  SessionTimeout,
  ClientTimeout,
  Shutdown,
  Rejected,
  Drained,
  HandlerGone,
  TlsHandshakeFailed,   // not TLS (plain HTTP, garbage), refused, or the client left
  TlsHandshakeTimeout,  // not complete within the handshake deadline
};
inline constexpr std::size_t kCloseKindCount = 14;

// Response status classes 1xx..5xx; a handler may send 600..999 (Condure passes them on),
// counted as "other" so requests_total still sums to the histogram's count.
inline constexpr std::size_t kStatusClassCount = 6;
constexpr std::size_t status_class_index(int status) {
  return status >= 100 && status < 600 ? static_cast<std::size_t>(status / 100 - 1) : 5;
}

std::string_view protocol_name(Protocol p);             // "http", "websocket"
std::string_view direction_name(MessageDirection d);    // "from_client", "to_client"
std::string_view direction_name(PacketDirection d);     // "to_handler", "from_handler"
std::string_view packet_kind_name(PacketKind k);        // "data", "keep-alive", ...
std::string_view close_kind_name(CloseKind k);          // "done", "client-gone", ...
std::string_view status_class_name(std::size_t index);  // "1xx".."5xx", "other"

}  // namespace zedge::metrics
