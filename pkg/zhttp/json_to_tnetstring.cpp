#include "json_to_tnetstring.hpp"

#include <rapidjson/error/error.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "tnetstring/tnetstring.hpp"

namespace zedge::zhttp::detail {
namespace {

// RapidJSON SAX events written straight into a tnetstring Writer: no DOM is built.
class TnetstringEmitter {
 public:
  explicit TnetstringEmitter(std::string& out) : writer_(out) {}

  bool Null() {
    writer_.null();
    return true;
  }
  bool Bool(bool b) {
    writer_.boolean(b);
    return true;
  }
  bool Int(int i) {
    writer_.integer(i);
    return true;
  }
  bool Uint(unsigned u) {
    writer_.integer(u);
    return true;
  }
  bool Int64(std::int64_t i) {
    writer_.integer(i);
    return true;
  }
  bool Uint64(std::uint64_t u) {
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return false;
    writer_.integer(static_cast<std::int64_t>(u));
    return true;
  }
  bool Double(double d) {
    // RapidJSON can round a huge literal to infinity, which tnetstring cannot carry.
    if (!std::isfinite(d)) return false;
    writer_.floating(d);
    return true;
  }
  bool RawNumber(const char*, rapidjson::SizeType, bool) { return false; }  // not enabled
  bool String(const char* s, rapidjson::SizeType length, bool) {
    writer_.string(std::string_view(s, length));
    return true;
  }
  bool Key(const char* s, rapidjson::SizeType length, bool copy) { return String(s, length, copy); }
  bool StartObject() { return open() && (writer_.begin_map(), true); }
  bool EndObject(rapidjson::SizeType) {
    writer_.end_map();
    return true;
  }
  bool StartArray() { return open() && (writer_.begin_list(), true); }
  bool EndArray(rapidjson::SizeType) {
    writer_.end_list();
    return true;
  }

 private:
  bool open() const { return writer_.depth() < tnetstring::kMaxDepth; }
  tnetstring::Writer writer_;
};

// Iterative: deep input cannot exhaust the stack. Strict UTF-8, and no trailing bytes
// (a document followed by anything but whitespace is an error without StopWhenDone).
constexpr unsigned kJsonParseFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag;

}  // namespace

bool json_to_tnetstring(std::string_view json, std::string& out) {
  const std::size_t start = out.size();
  rapidjson::MemoryStream stream(json.data(), json.size());
  rapidjson::Reader reader;
  TnetstringEmitter emitter(out);
  if (reader.Parse<kJsonParseFlags>(stream, emitter).IsError()) {
    out.resize(start);
    return false;
  }
  return true;
}

}  // namespace zedge::zhttp::detail
