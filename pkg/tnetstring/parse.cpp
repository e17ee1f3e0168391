// Parsing side of tnetstring.hpp: framing (`<length>:<payload><type>`), scalar
// payload checks, and the lazy list/map readers.
#include <charconv>
#include <cmath>

#include "tnetstring/tnetstring.hpp"

namespace zedge::tnetstring {
namespace {

constexpr std::string_view kTrue = "true";
constexpr std::string_view kFalse = "false";

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_known_type(char c) {
  switch (static_cast<Type>(c)) {
    case Type::String:
    case Type::Integer:
    case Type::Float:
    case Type::Boolean:
    case Type::Null:
    case Type::List:
    case Type::Map: return true;
  }
  return false;
}

// Reads the decimal length prefix and the colon. On success `payload_start` is the
// offset just past the colon.
Error parse_length(std::string_view data, std::size_t& length, std::size_t& payload_start) {
  if (data.empty()) return Error::Truncated;
  if (!is_digit(data[0])) return Error::BadLength;
  // A length is "0" or starts with 1-9: "007:" is not a tnetstring length.
  if (data[0] == '0' && data.size() > 1 && is_digit(data[1])) return Error::BadLength;

  std::size_t value = 0;
  std::size_t i = 0;
  for (; i < data.size() && is_digit(data[i]); ++i) {
    if (i == kMaxLengthDigits) return Error::BadLength;
    value = value * 10 + static_cast<std::size_t>(data[i] - '0');
  }
  if (i == data.size()) return Error::Truncated;
  if (data[i] != ':') return Error::MissingColon;
  length = value;
  payload_start = i + 1;
  return Error::None;
}

Error check_integer(std::string_view payload, std::int64_t* out) {
  std::int64_t value = 0;
  const char* end = payload.data() + payload.size();
  // from_chars takes an optional '-' and digits only: no '+', no spaces, no empty.
  auto [ptr, ec] = std::from_chars(payload.data(), end, value);
  if (payload.empty() || ec != std::errc{} || ptr != end) return Error::BadInteger;
  if (out != nullptr) *out = value;
  return Error::None;
}

Error check_float(std::string_view payload, double* out) {
  double value = 0;
  const char* end = payload.data() + payload.size();
  auto [ptr, ec] = std::from_chars(payload.data(), end, value);
  // "inf" and "nan" parse with from_chars but are not numbers on the wire.
  if (payload.empty() || ec != std::errc{} || ptr != end || !std::isfinite(value)) {
    return Error::BadFloat;
  }
  if (out != nullptr) *out = value;
  return Error::None;
}

Error check_boolean(std::string_view payload, bool* out) {
  if (payload == kTrue) {
    if (out != nullptr) *out = true;
    return Error::None;
  }
  if (payload == kFalse) {
    if (out != nullptr) *out = false;
    return Error::None;
  }
  return Error::BadBoolean;
}

Error check_scalar(Type type, std::string_view payload) {
  switch (type) {
    case Type::Integer: return check_integer(payload, nullptr);
    case Type::Float: return check_float(payload, nullptr);
    case Type::Boolean: return check_boolean(payload, nullptr);
    case Type::Null: return payload.empty() ? Error::None : Error::BadNull;
    case Type::String:
    case Type::List:
    case Type::Map: return Error::None;
  }
  return Error::UnknownType;
}

Error validate_at_depth(const Value& v, std::size_t depth);

Error validate_list(const Value& v, std::size_t depth) {
  ListReader reader(v);
  Value item;
  while (reader.next(item)) {
    if (Error e = validate_at_depth(item, depth + 1); e != Error::None) return e;
  }
  return reader.error();
}

Error validate_map(const Value& v, std::size_t depth) {
  MapReader reader(v);
  std::string_view key;
  Value item;
  while (reader.next(key, item)) {
    if (Error e = validate_at_depth(item, depth + 1); e != Error::None) return e;
  }
  return reader.error();
}

// `depth` counts the containers enclosing `v`.
Error validate_at_depth(const Value& v, std::size_t depth) {
  switch (v.type) {
    case Type::List:
    case Type::Map:
      if (depth >= kMaxDepth) return Error::TooDeep;
      return v.type == Type::List ? validate_list(v, depth) : validate_map(v, depth);
    default:
      // Scalars were checked by parse(); re-check in case the Value was built by hand.
      return check_scalar(v.type, v.payload);
  }
}

}  // namespace

std::string_view error_text(Error e) {
  switch (e) {
    case Error::None: return "no error";
    case Error::Truncated: return "input ends inside the item";
    case Error::BadLength: return "bad length prefix";
    case Error::MissingColon: return "missing ':' after the length";
    case Error::UnknownType: return "unknown type character";
    case Error::BadInteger: return "bad integer";
    case Error::BadFloat: return "bad float";
    case Error::BadBoolean: return "boolean is not 'true' or 'false'";
    case Error::BadNull: return "null with a payload";
    case Error::BadMapKey: return "map key is not a string";
    case Error::OddMap: return "map key without a value";
    case Error::TrailingData: return "bytes after the item";
    case Error::WrongType: return "value has another type";
    case Error::TooDeep: return "nested too deeply";
  }
  return "unknown error";
}

Error Value::as_int(std::int64_t& out) const {
  if (type != Type::Integer) return Error::WrongType;
  return check_integer(payload, &out);
}

Error Value::as_bool(bool& out) const {
  if (type != Type::Boolean) return Error::WrongType;
  return check_boolean(payload, &out);
}

Error Value::as_double(double& out) const {
  if (type != Type::Float) return Error::WrongType;
  return check_float(payload, &out);
}

Error Value::as_string(std::string_view& out) const {
  if (type != Type::String) return Error::WrongType;
  out = payload;
  return Error::None;
}

Error parse(std::string_view data, Value& out) {
  std::size_t length = 0;
  std::size_t payload_start = 0;
  if (Error e = parse_length(data, length, payload_start); e != Error::None) return e;
  // The payload and the type character must both be inside the input.
  if (length >= data.size() - payload_start) return Error::Truncated;

  const char type_char = data[payload_start + length];
  if (!is_known_type(type_char)) return Error::UnknownType;
  const Type type = static_cast<Type>(type_char);
  const std::string_view payload = data.substr(payload_start, length);
  if (Error e = check_scalar(type, payload); e != Error::None) return e;

  out.type = type;
  out.payload = payload;
  out.encoded_size = payload_start + length + 1;
  return Error::None;
}

Error parse_exact(std::string_view data, Value& out) {
  Value v;
  if (Error e = parse(data, v); e != Error::None) return e;
  if (v.encoded_size != data.size()) return Error::TrailingData;
  out = v;
  return Error::None;
}

Error validate(const Value& v) { return validate_at_depth(v, 0); }

ListReader::ListReader(const Value& list) {
  if (list.type == Type::List) {
    rest_ = list.payload;
  } else {
    error_ = Error::WrongType;
  }
}

bool ListReader::next(Value& item) {
  if (error_ != Error::None || rest_.empty()) return false;
  if (Error e = parse(rest_, item); e != Error::None) {
    error_ = e;
    return false;
  }
  rest_.remove_prefix(item.encoded_size);
  return true;
}

MapReader::MapReader(const Value& map) {
  if (map.type == Type::Map) {
    rest_ = map.payload;
  } else {
    error_ = Error::WrongType;
  }
}

bool MapReader::next(std::string_view& key, Value& value) {
  if (error_ != Error::None || rest_.empty()) return false;
  Value key_item;
  if (Error e = parse(rest_, key_item); e != Error::None) {
    error_ = e;
    return false;
  }
  if (key_item.type != Type::String) {
    error_ = Error::BadMapKey;
    return false;
  }
  rest_.remove_prefix(key_item.encoded_size);
  if (rest_.empty()) {
    error_ = Error::OddMap;
    return false;
  }
  if (Error e = parse(rest_, value); e != Error::None) {
    error_ = e;
    return false;
  }
  rest_.remove_prefix(value.encoded_size);
  key = key_item.payload;
  return true;
}

}  // namespace zedge::tnetstring
