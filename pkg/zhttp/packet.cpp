// Names and housekeeping for packet.hpp.
#include "zhttp/packet.hpp"

#include <array>
#include <utility>

namespace zedge::zhttp {
namespace {

// Wire names of the ten packet types; Data has no "type" field.
constexpr std::array<std::pair<PacketType, std::string_view>, 10> kTypeNames{{
    {PacketType::Data, ""},
    {PacketType::Error, "error"},
    {PacketType::Credit, "credit"},
    {PacketType::KeepAlive, "keep-alive"},
    {PacketType::Cancel, "cancel"},
    {PacketType::HandoffStart, "handoff-start"},
    {PacketType::HandoffProceed, "handoff-proceed"},
    {PacketType::Close, "close"},
    {PacketType::Ping, "ping"},
    {PacketType::Pong, "pong"},
}};

}  // namespace

std::string_view type_name(PacketType t) {
  for (const auto& [type, name] : kTypeNames) {
    if (type == t) return name;
  }
  return {};
}

std::optional<PacketType> type_from_name(std::string_view name) {
  for (const auto& [type, wire_name] : kTypeNames) {
    if (wire_name == name) return type;
  }
  return std::nullopt;
}

std::string_view error_text(ParseError e) {
  switch (e) {
    case ParseError::None: return "no error";
    case ParseError::Empty: return "empty frame";
    case ParseError::UnknownFormat: return "format byte is neither 'T' nor 'J'";
    case ParseError::Malformed: return "malformed tnetstring or JSON";
    case ParseError::NotAMap: return "root is not a map";
    case ParseError::WrongFieldType: return "field has the wrong type";
    case ParseError::NegativeValue: return "negative seq, credits, code or port";
    case ParseError::UnknownType: return "unknown packet type";
    case ParseError::MissingId: return "no id";
    case ParseError::TooLong: return "from or id longer than 64 bytes";
    case ParseError::TooMany: return "more than 128 ids or 64 headers";
    case ParseError::BadHeader: return "header item is not a [name, value] pair of strings";
    case ParseError::NotUtf8: return "text field is not UTF-8";
  }
  return "unknown error";
}

void Packet::reset() {
  from = {};
  ids.clear();
  id_is_list = false;
  type = PacketType::Data;
  condition = {};
  ext_multi = false;
  method = {};
  uri = {};
  has_headers = false;
  headers.clear();
  has_body = false;
  body = {};
  more = false;
  stream = false;
  credits.reset();
  code.reset();
  reason = {};
  content_type = {};
  peer_address.reset();
  peer_port.reset();
  storage.clear();
}

}  // namespace zedge::zhttp
