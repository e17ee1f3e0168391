// tnetstring parsing (pkg/tnetstring): parse, deep validation and the list/map readers on
// any bytes. Checks: spans stay inside the input, and a value that validates is rebuilt
// byte for byte by Writer from what the readers return.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_input.hpp"
#include "tnetstring/tnetstring.hpp"

namespace {

using zedge::tnetstring::Error;
using zedge::tnetstring::Type;
using zedge::tnetstring::Value;
using zedge::tnetstring::Writer;

bool inside(std::string_view part, std::string_view whole) {
  return part.empty() || (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

// Writes `v` (already validated) again through the readers. Scalars are copied as their
// payload text (re-encoding a number would normalize it), so the output must equal the input.
void rewrite(const Value& v, std::string& out, std::size_t depth) {
  FUZZ_CHECK(depth <= zedge::tnetstring::kMaxDepth);
  if (v.type == Type::List) {
    zedge::tnetstring::ListReader items(v);
    std::string inner;
    Value item;
    while (items.next(item)) rewrite(item, inner, depth + 1);
    FUZZ_CHECK(items.error() == Error::None);
    out += std::to_string(inner.size()) + ":" + inner + "]";
    return;
  }
  if (v.type == Type::Map) {
    zedge::tnetstring::MapReader pairs(v);
    std::string inner;
    std::string_view key;
    Value value;
    while (pairs.next(key, value)) {
      Writer(inner).string(key);
      rewrite(value, inner, depth + 1);
    }
    FUZZ_CHECK(pairs.error() == Error::None);
    out += std::to_string(inner.size()) + ":" + inner + "}";
    return;
  }
  std::int64_t i = 0;
  bool b = false;
  double d = 0;
  std::string_view s;
  switch (v.type) {
    case Type::Integer: FUZZ_CHECK(v.as_int(i) == Error::None); break;
    case Type::Boolean: FUZZ_CHECK(v.as_bool(b) == Error::None); break;
    case Type::Float: FUZZ_CHECK(v.as_double(d) == Error::None); break;
    case Type::String: FUZZ_CHECK(v.as_string(s) == Error::None && s == v.payload); break;
    default: break;
  }
  out += std::to_string(v.payload.size()) + ":" + std::string(v.payload) + static_cast<char>(v.type);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  Value v;
  if (zedge::tnetstring::parse(input, v) != Error::None) return 0;
  FUZZ_CHECK(v.encoded_size <= input.size() && inside(v.payload, input));
  const std::string_view item = input.substr(0, v.encoded_size);
  Value exact;
  FUZZ_CHECK(zedge::tnetstring::parse_exact(item, exact) == Error::None);
  FUZZ_CHECK(exact.type == v.type && exact.payload == v.payload);

  if (zedge::tnetstring::validate(v) != Error::None) {
    // Readers must stop cleanly on what validate refused.
    if (v.type == Type::List) {
      zedge::tnetstring::ListReader items(v);
      Value x;
      while (items.next(x)) FUZZ_CHECK(inside(x.payload, input));
    } else if (v.type == Type::Map) {
      zedge::tnetstring::MapReader pairs(v);
      std::string_view key;
      Value x;
      while (pairs.next(key, x)) FUZZ_CHECK(inside(key, input) && inside(x.payload, input));
    }
    return 0;
  }
  std::string again;
  rewrite(v, again, 0);
  FUZZ_CHECK(again == item);
  return 0;
}
