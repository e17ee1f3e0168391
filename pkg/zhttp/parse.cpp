// parse() of packet.hpp: one pass over the root map collects the known fields, then
// the packet type decides which of them are read (as Condure's Response::parse does,
// src/zhttppacket.rs; fields as in api/zhttp.md, "Packets").
#include <array>
#include <cstdint>

#include "json_to_tnetstring.hpp"
#include "tnetstring/tnetstring.hpp"
#include "utf8/utf8_validator.hpp"
#include "zhttp/packet.hpp"

namespace zedge::zhttp {
namespace {

namespace tnet = zedge::tnetstring;
using utf8::is_valid;

enum class Field : unsigned {
  From,
  Id,
  Seq,
  Type,
  Ext,
  Condition,
  Method,
  Uri,
  Code,
  Reason,
  Headers,
  ContentType,
  Body,
  Credits,
  More,
  Stream,
  PeerAddress,
  PeerPort,
  Count,
};

constexpr std::size_t kFieldCount = static_cast<std::size_t>(Field::Count);

constexpr std::array<std::string_view, kFieldCount> kFieldNames{
    "from",   "id",      "seq",          "type", "ext",     "condition", "method", "uri",          "code",
    "reason", "headers", "content-type", "body", "credits", "more",      "stream", "peer-address", "peer-port",
};

using FieldSet = std::uint32_t;

constexpr FieldSet bit(Field f) { return FieldSet{1} << static_cast<unsigned>(f); }

template <typename... Fs>
constexpr FieldSet fields(Fs... fs) {
  return (bit(fs) | ...);
}

// Fields every packet type carries.
constexpr FieldSet kCommonFields = fields(Field::From, Field::Id, Field::Seq, Field::Ext);

// Fields read per packet type; others are skipped like unknown keys. Data covers both
// directions: the request head (method, uri, stream, peer-*) and the response head.
FieldSet fields_of(PacketType type) {
  using F = Field;
  switch (type) {
    case PacketType::Data:
      return fields(F::Method, F::Uri, F::Code, F::Reason, F::Headers, F::ContentType, F::Body, F::Credits, F::More,
                    F::Stream, F::PeerAddress, F::PeerPort);
    case PacketType::Error:
      // code/reason/headers/body are the response of a "rejected" WebSocket.
      return fields(F::Condition, F::Code, F::Reason, F::Headers, F::Body);
    case PacketType::Credit: return fields(F::Credits);
    case PacketType::Close: return fields(F::Code, F::Body);
    case PacketType::Ping:
    case PacketType::Pong: return fields(F::Credits, F::Body);
    case PacketType::KeepAlive:
    case PacketType::Cancel:
    case PacketType::HandoffStart:
    case PacketType::HandoffProceed: return 0;
  }
  return 0;
}

bool lookup_field(std::string_view key, Field& out) {
  for (std::size_t i = 0; i < kFieldCount; ++i) {
    if (kFieldNames[i] == key) {
      out = static_cast<Field>(i);
      return true;
    }
  }
  return false;
}

ParseError read_string(const tnet::Value& v, std::string_view& out) {
  if (v.type != tnet::Type::String) return ParseError::WrongFieldType;
  out = v.payload;
  return ParseError::None;
}

ParseError read_text(const tnet::Value& v, std::string_view& out) {
  if (ParseError e = read_string(v, out); e != ParseError::None) return e;
  return is_valid(out) ? ParseError::None : ParseError::NotUtf8;
}

// seq, credits, code and peer-port: integers that must not be negative.
ParseError read_count(const tnet::Value& v, std::optional<std::int64_t>& out) {
  std::int64_t x = 0;
  if (v.as_int(x) != tnet::Error::None) return ParseError::WrongFieldType;
  if (x < 0) return ParseError::NegativeValue;
  out = x;
  return ParseError::None;
}

ParseError read_bool(const tnet::Value& v, bool& out) {
  return v.as_bool(out) == tnet::Error::None ? ParseError::None : ParseError::WrongFieldType;
}

ParseError read_id_string(const tnet::Value& v, std::string_view& out) {
  if (ParseError e = read_string(v, out); e != ParseError::None) return e;
  return out.size() > kIdMaxBytes ? ParseError::TooLong : ParseError::None;
}

// One element of the list form of "id": {id, seq}.
ParseError read_id_item(const tnet::Value& item, IdSeq& out) {
  if (item.type != tnet::Type::Map) return ParseError::WrongFieldType;
  tnet::MapReader reader(item);
  std::string_view key;
  tnet::Value v;
  bool has_id = false;
  while (reader.next(key, v)) {
    if (!is_valid(key)) return ParseError::NotUtf8;
    ParseError e = ParseError::None;
    if (key == "id") {
      e = read_id_string(v, out.id);
      has_id = true;
    } else if (key == "seq") {
      e = read_count(v, out.seq);
    }
    if (e != ParseError::None) return e;
  }
  if (reader.error() != tnet::Error::None) return ParseError::Malformed;
  return has_id ? ParseError::None : ParseError::MissingId;
}

// Appends each item of `list` to `out` as `read_item` reads it; more than `max` items in all
// are TooMany.
template <typename T>
ParseError read_list(const tnet::Value& list, std::size_t max, std::vector<T>& out,
                     ParseError (*read_item)(const tnet::Value&, T&)) {
  tnet::ListReader reader(list);
  tnet::Value item;
  while (reader.next(item)) {
    if (out.size() == max) return ParseError::TooMany;
    T value;
    if (ParseError e = read_item(item, value); e != ParseError::None) return e;
    out.push_back(value);
  }
  return reader.error() == tnet::Error::None ? ParseError::None : ParseError::Malformed;
}

ParseError read_ids(const tnet::Value& v, Packet& out) {
  if (v.type == tnet::Type::String) {
    IdSeq single;
    if (ParseError e = read_id_string(v, single.id); e != ParseError::None) return e;
    out.ids.push_back(single);
    return ParseError::None;
  }
  if (v.type != tnet::Type::List) return ParseError::WrongFieldType;
  out.id_is_list = true;
  if (ParseError e = read_list(v, kIdsMax, out.ids, read_id_item); e != ParseError::None) return e;
  return out.ids.empty() ? ParseError::MissingId : ParseError::None;
}

ParseError read_ext(const tnet::Value& v, Packet& out) {
  if (v.type != tnet::Type::Map) return ParseError::WrongFieldType;
  tnet::MapReader reader(v);
  std::string_view key;
  tnet::Value item;
  while (reader.next(key, item)) {
    if (!is_valid(key)) return ParseError::NotUtf8;
    if (key == "multi") {
      if (ParseError e = read_bool(item, out.ext_multi); e != ParseError::None) return e;
    }
  }
  return reader.error() == tnet::Error::None ? ParseError::None : ParseError::Malformed;
}

ParseError read_header(const tnet::Value& item, Header& out) {
  if (item.type != tnet::Type::List) return ParseError::BadHeader;
  tnet::ListReader reader(item);
  tnet::Value name;
  tnet::Value value;
  tnet::Value extra;
  if (!reader.next(name) || !reader.next(value) || reader.next(extra)) {
    return reader.error() == tnet::Error::None ? ParseError::BadHeader : ParseError::Malformed;
  }
  if (name.type != tnet::Type::String || value.type != tnet::Type::String) {
    return ParseError::BadHeader;
  }
  if (!is_valid(name.payload)) return ParseError::NotUtf8;
  out.name = name.payload;
  out.value = value.payload;
  return ParseError::None;
}

ParseError read_headers(const tnet::Value& v, Packet& out) {
  if (v.type != tnet::Type::List) return ParseError::WrongFieldType;
  out.has_headers = true;
  return read_list(v, kHeadersMax, out.headers, read_header);
}

ParseError read_field(Field f, const tnet::Value& v, Packet& out, std::optional<std::int64_t>& top_seq) {
  switch (f) {
    case Field::From: {
      if (ParseError e = read_string(v, out.from); e != ParseError::None) return e;
      return out.from.size() > kFromMaxBytes ? ParseError::TooLong : ParseError::None;
    }
    case Field::Id: return read_ids(v, out);
    case Field::Seq: return read_count(v, top_seq);
    case Field::Type: return ParseError::None;  // read before the others
    case Field::Ext: return read_ext(v, out);
    case Field::Condition: return read_text(v, out.condition);
    case Field::Method: return read_string(v, out.method);
    case Field::Uri: return read_string(v, out.uri);
    case Field::Code: return read_count(v, out.code);
    case Field::Reason: return read_text(v, out.reason);
    case Field::Headers: return read_headers(v, out);
    case Field::ContentType: return read_string(v, out.content_type);
    case Field::Body: {
      out.has_body = true;
      // A close packet's body is the WebSocket close reason, which must be UTF-8
      // (RFC 6455 §5.5.1; Condure checks it too).
      return out.type == PacketType::Close ? read_text(v, out.body) : read_string(v, out.body);
    }
    case Field::Credits: return read_count(v, out.credits);
    case Field::More: return read_bool(v, out.more);
    case Field::Stream: return read_bool(v, out.stream);
    case Field::PeerAddress: {
      std::string_view address;
      if (ParseError e = read_string(v, address); e != ParseError::None) return e;
      out.peer_address = address;
      return ParseError::None;
    }
    case Field::PeerPort: return read_count(v, out.peer_port);
    case Field::Count: break;
  }
  return ParseError::None;
}

ParseError read_type(const tnet::Value& v, PacketType& out) {
  std::string_view name;
  if (ParseError e = read_text(v, name); e != ParseError::None) return e;
  // An empty name is Data, as in Condure.
  const std::optional<PacketType> type = type_from_name(name);
  if (!type) return ParseError::UnknownType;
  out = *type;
  return ParseError::None;
}

ParseError parse_tnetstring(std::string_view tnet, Packet& out) {
  tnet::Value root;
  if (tnet::parse_exact(tnet, root) != tnet::Error::None) return ParseError::Malformed;
  if (root.type != tnet::Type::Map) return ParseError::NotAMap;

  // Later duplicates win, as in Condure's key loop.
  std::array<tnet::Value, kFieldCount> values{};
  FieldSet present = 0;
  tnet::MapReader reader(root);
  std::string_view key;
  tnet::Value v;
  while (reader.next(key, v)) {
    if (!is_valid(key)) return ParseError::NotUtf8;
    Field f{};
    if (lookup_field(key, f)) {
      values[static_cast<std::size_t>(f)] = v;
      present |= bit(f);
    }
  }
  if (reader.error() != tnet::Error::None) return ParseError::Malformed;

  if (present & bit(Field::Type)) {
    if (ParseError e = read_type(values[static_cast<std::size_t>(Field::Type)], out.type); e != ParseError::None) {
      return e;
    }
  }

  const FieldSet wanted = present & (kCommonFields | fields_of(out.type));
  std::optional<std::int64_t> top_seq;
  for (std::size_t i = 0; i < kFieldCount; ++i) {
    const Field f = static_cast<Field>(i);
    if ((wanted & bit(f)) == 0) continue;
    if (ParseError e = read_field(f, values[i], out, top_seq); e != ParseError::None) return e;
  }

  if (out.ids.empty()) return ParseError::MissingId;
  // The top-level seq belongs to the single-id form; list items carry their own.
  if (!out.id_is_list) out.ids.front().seq = top_seq;
  return ParseError::None;
}

}  // namespace

ParseError parse(std::string_view frame, Packet& out) {
  out.reset();
  if (frame.empty()) return ParseError::Empty;
  const char format = frame.front();
  frame.remove_prefix(1);
  switch (format) {
    case 'T': return parse_tnetstring(frame, out);
    case 'J': {
      std::string& tnet = out.storage.emplace_back();
      if (!detail::json_to_tnetstring(frame, tnet)) return ParseError::Malformed;
      return parse_tnetstring(tnet, out);
    }
    default: return ParseError::UnknownFormat;
  }
}

}  // namespace zedge::zhttp
