// ZHTTP packets (RFC 33 as Condure 1.9 speaks it).
// Sans-I/O: parse() reads a frame ("T" + tnetstring map, or "J" + JSON object) into a
// Packet whose string fields are views into the frame (zero-copy for "T"; for "J" the
// decoded strings live in Packet::storage). encode() always writes "T" with the field
// order Condure uses, so handlers see the same bytes from zedge as from Condure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace zedge::zhttp {

enum class PacketType {
  Data,  // no "type" field on the wire
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

std::string_view type_name(PacketType t);  // "" for Data, else the wire name
// The type for a wire name ("" is Data); nullopt for a name Condure does not know.
std::optional<PacketType> type_from_name(std::string_view name);

struct Header {
  std::string_view name;
  std::string_view value;
  friend bool operator==(const Header&, const Header&) = default;
};

// One addressed session: the request id and this packet's seq for it.
struct IdSeq {
  std::string_view id;
  std::optional<std::int64_t> seq;
  friend bool operator==(const IdSeq&, const IdSeq&) = default;
};

// Limits from Condure (src/zhttppacket.rs).
inline constexpr std::size_t kFromMaxBytes = 64;
inline constexpr std::size_t kIdMaxBytes = 64;
inline constexpr std::size_t kIdsMax = 128;
inline constexpr std::size_t kHeadersMax = 64;

struct Packet {
  std::string_view from;
  // One element unless the packet used the list form of "id".
  std::vector<IdSeq> ids;
  bool id_is_list = false;
  PacketType type = PacketType::Data;
  std::string_view condition;  // error packets
  bool ext_multi = false;      // ext.multi

  // Request side (first packet, zedge -> handler).
  std::string_view method;
  std::string_view uri;
  // Both sides.
  bool has_headers = false;  // parse(): the field was present (encode() ignores it)
  std::vector<Header> headers;
  bool has_body = false;  // parse(): the field was present (encode() ignores it)
  std::string_view body;
  bool more = false;
  bool stream = false;
  std::optional<std::int64_t> credits;
  std::optional<std::int64_t> code;
  std::string_view reason;
  std::string_view content_type;  // WebSocket data: "text" or "binary"
  std::optional<std::string_view> peer_address;
  std::optional<std::int64_t> peer_port;

  // Owns decoded strings for "J" input; views above may point into it. A Packet that
  // holds views must not be copied (the copy's views would point into the original);
  // moving is fine.
  std::deque<std::string> storage;

  // Back to the default state, keeping vector capacity so a reused Packet does not
  // allocate per frame.
  void reset();

  // Convenience for the single-id form.
  std::string_view id() const { return ids.empty() ? std::string_view{} : ids.front().id; }
  std::optional<std::int64_t> seq() const { return ids.empty() ? std::nullopt : ids.front().seq; }
};

enum class ParseError {
  None = 0,
  Empty,
  UnknownFormat,  // first byte is neither 'T' nor 'J'
  Malformed,      // not a valid tnetstring/JSON object
  NotAMap,
  WrongFieldType,  // e.g. seq given as a string (Condure is strictly typed)
  NegativeValue,   // negative seq/credits/code/peer-port
  UnknownType,     // unknown "type" value
  MissingId,
  TooLong,    // from/id over 64 bytes
  TooMany,    // more than 128 ids or 64 headers
  BadHeader,  // a header item that is not a [name, value] pair of strings
  NotUtf8,    // type/condition/reason/header name/close reason or a key not UTF-8
};

std::string_view error_text(ParseError e);

// Parses a whole frame (format byte included). Views in `out` point into `frame`
// (and into out.storage), so `frame` must outlive `out`. `out` is reset() first.
// Like Condure (src/zhttppacket.rs), only the fields a packet type carries are read
// and type-checked: e.g. `more` in a credit packet is ignored like an unknown key.
// Stricter than Condure: bytes after the root map are an error (Malformed), a header
// item must have exactly two elements, and an id list needs an "id" in every item.
ParseError parse(std::string_view frame, Packet& out);

// Appends "T" + tnetstring of `p` to `out`, fields in Condure's order:
//   from, id (string, or list of {id, seq} when there is more than one id or
//   id_is_list is set), seq (single-id form), ext{multi}, type, condition, method,
//   uri, code, reason, headers, content-type, body, credits, more, stream,
//   peer-address, peer-port.
// A field is written when set: strings and the header list when non-empty, optionals
// when they have a value, bools when true. has_headers/has_body only report what
// parse() saw; encode() ignores them, so an empty header list or body is never
// written (Condure 1.9 never writes one). Limits are the caller's job.
void encode(const Packet& p, std::string& out);
std::string encode(const Packet& p);

// The type of a frame encode() wrote, without a full parse (for counting packets by type).
PacketType scan_type(std::string_view frame);

// Cheap scan of just the "id" field(s) of a "T" or "J" frame, used by the ZeroMQ bridge to
// route a handler packet to the worker(s) owning its id(s) without a full parse.
// Appends each id to `ids` (views into `frame`, or into `storage` for "J" frames);
// returns false if the frame is malformed or has no id.
bool scan_ids(std::string_view frame, std::vector<std::string_view>& ids, std::deque<std::string>& storage);

}  // namespace zedge::zhttp
