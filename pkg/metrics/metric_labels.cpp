#include "metrics/metric_labels.hpp"

#include <array>

namespace zedge::metrics {
namespace {

// Tables indexed by enumerator; the static_asserts keep them as long as the enums.
constexpr std::array<std::string_view, kProtocolCount> kProtocolNames = {"http", "websocket"};
constexpr std::array<std::string_view, kDirectionCount> kMessageDirectionNames = {"from_client", "to_client"};
constexpr std::array<std::string_view, kDirectionCount> kPacketDirectionNames = {"to_handler", "from_handler"};
constexpr std::array<std::string_view, kPacketKindCount> kPacketKindNames = {
    "data", "error", "credit", "keep-alive", "cancel", "handoff-start", "handoff-proceed", "close", "ping", "pong"};
constexpr std::array<std::string_view, kCloseKindCount> kCloseKindNames = {"done",
                                                                           "client-gone",
                                                                           "handler-ended",
                                                                           "protocol-error",
                                                                           "credit-overrun",
                                                                           "client-error",
                                                                           "session-timeout",
                                                                           "client-timeout",
                                                                           "shutdown",
                                                                           "rejected",
                                                                           "drained",
                                                                           "handler-gone",
                                                                           "tls-handshake-failed",
                                                                           "tls-handshake-timeout"};
constexpr std::array<std::string_view, kStatusClassCount> kStatusClassNames = {"1xx", "2xx", "3xx",
                                                                               "4xx", "5xx", "other"};

static_assert(static_cast<std::size_t>(PacketKind::Pong) + 1 == kPacketKindCount);
static_assert(static_cast<std::size_t>(CloseKind::TlsHandshakeTimeout) + 1 == kCloseKindCount);
static_assert(status_class_index(100) == 0 && status_class_index(599) == 4 && status_class_index(600) == 5);

}  // namespace

std::string_view protocol_name(Protocol p) { return kProtocolNames.at(static_cast<std::size_t>(p)); }
std::string_view direction_name(MessageDirection d) { return kMessageDirectionNames.at(static_cast<std::size_t>(d)); }
std::string_view direction_name(PacketDirection d) { return kPacketDirectionNames.at(static_cast<std::size_t>(d)); }
std::string_view packet_kind_name(PacketKind k) { return kPacketKindNames.at(static_cast<std::size_t>(k)); }
std::string_view close_kind_name(CloseKind k) { return kCloseKindNames.at(static_cast<std::size_t>(k)); }
std::string_view status_class_name(std::size_t index) { return kStatusClassNames.at(index); }

}  // namespace zedge::metrics
