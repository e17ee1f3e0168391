// tnetstring: sans-I/O, zero-copy parsing and encoding of tnetstrings
// (https://tnetstrings.info): `<decimal length>:<payload><type char>`.
// Parsed values are views into the caller's bytes; nothing is copied.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace zedge::tnetstring {

enum class Type : char {
  String = ',',
  Integer = '#',
  Float = '^',
  Boolean = '!',
  Null = '~',
  List = ']',
  Map = '}',
};

enum class Error {
  None = 0,
  Truncated,  // input ends before the item does
  BadLength,  // length prefix missing, not decimal, leading zeros, or too large
  MissingColon,
  UnknownType,  // type char is not one of the seven
  BadInteger,   // payload is not an optional '-' and digits, or overflows int64
  BadFloat,
  BadBoolean,    // payload is not exactly "true" or "false"
  BadNull,       // null with a non-empty payload
  BadMapKey,     // map key that is not a string
  OddMap,        // map with a key but no value
  TrailingData,  // parse_exact: bytes after the item
  WrongType,     // as_*() on a value of another type
  TooDeep,       // validate(): lists/maps nested more than kMaxDepth levels
};

// Nesting limit for validate() and for Writer (containers inside containers).
inline constexpr std::size_t kMaxDepth = 64;
// Longest length prefix accepted ("9999999999" = ~10 GB, far beyond any ZeroMQ frame).
inline constexpr std::size_t kMaxLengthDigits = 10;

std::string_view error_text(Error e);

// One parsed item: its type, its payload bytes, and how many input bytes it spans.
struct Value {
  Type type = Type::Null;
  std::string_view payload;
  std::size_t encoded_size = 0;

  Error as_int(std::int64_t& out) const;
  Error as_bool(bool& out) const;
  Error as_double(double& out) const;
  Error as_string(std::string_view& out) const;  // Type::String only
};

// Parses the item at the start of `data` (bytes after it are left alone).
// Validates the payload of scalars; lists and maps are validated lazily by the
// readers below (use validate() for a deep check).
Error parse(std::string_view data, Value& out);
// Parses exactly one item spanning all of `data`.
Error parse_exact(std::string_view data, Value& out);
// Deep validation of a value and everything nested in it (max depth kMaxDepth).
Error validate(const Value& v);

// Iterates the items of a List payload.
class ListReader {
 public:
  explicit ListReader(const Value& list);  // list.type must be List
  // Returns false at the end or on error (then error() says which).
  bool next(Value& item);
  Error error() const { return error_; }

 private:
  std::string_view rest_;
  Error error_ = Error::None;
};

// Iterates the key/value pairs of a Map payload. Keys must be strings.
class MapReader {
 public:
  explicit MapReader(const Value& map);  // map.type must be Map
  bool next(std::string_view& key, Value& value);
  Error error() const { return error_; }

 private:
  std::string_view rest_;
  Error error_ = Error::None;
};

// Appends tnetstrings to a std::string. Lists and maps are opened and closed;
// their length prefixes are filled in on close (so nesting needs no temporaries).
// Misuse (closing what is not open, nesting deeper than kMaxDepth, non-finite
// floats) is a programming error and asserts.
class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}
  void string(std::string_view s);
  void integer(std::int64_t v);
  void floating(double v);
  void boolean(bool v);
  void null();
  void begin_list();
  void end_list();
  void begin_map();
  void end_map();
  // Number of lists/maps currently open.
  std::size_t depth() const { return depth_; }

 private:
  struct OpenContainer {
    std::size_t payload_start;  // offset in out_ where the payload begins
    Type type;
  };
  void begin_container(Type t);
  void end_container(Type t);
  std::string& out_;
  OpenContainer stack_[kMaxDepth];
  std::size_t depth_ = 0;
};

}  // namespace zedge::tnetstring
