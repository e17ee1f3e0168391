// Encoding side of tnetstring.hpp.
#include <cassert>
#include <charconv>
#include <cmath>

#include "tnetstring/tnetstring.hpp"

namespace zedge::tnetstring {
namespace {

// "-9223372036854775808" is 20 characters; a shortest-form double needs at most 24.
constexpr std::size_t kNumberTextMax = 32;

void append_length_prefix(std::string& out, std::size_t length) {
  char text[kNumberTextMax];
  auto [end, ec] = std::to_chars(text, text + sizeof text, length);
  assert(ec == std::errc{});
  out.append(text, end);
  out.push_back(':');
}

// Writes `<len>:<text><type>` for a payload already formatted in `text`.
void append_item(std::string& out, std::string_view payload, Type type) {
  append_length_prefix(out, payload.size());
  out.append(payload);
  out.push_back(static_cast<char>(type));
}

}  // namespace

void Writer::string(std::string_view s) { append_item(out_, s, Type::String); }

void Writer::integer(std::int64_t v) {
  char text[kNumberTextMax];
  auto [end, ec] = std::to_chars(text, text + sizeof text, v);
  assert(ec == std::errc{});
  append_item(out_, std::string_view(text, static_cast<std::size_t>(end - text)), Type::Integer);
}

void Writer::floating(double v) {
  assert(std::isfinite(v));
  char text[kNumberTextMax];
  // Shortest text that reads back as the same double.
  auto [end, ec] = std::to_chars(text, text + sizeof text, v);
  assert(ec == std::errc{});
  append_item(out_, std::string_view(text, static_cast<std::size_t>(end - text)), Type::Float);
}

void Writer::boolean(bool v) { append_item(out_, v ? "true" : "false", Type::Boolean); }

void Writer::null() { append_item(out_, {}, Type::Null); }

void Writer::begin_list() { begin_container(Type::List); }
void Writer::end_list() { end_container(Type::List); }
void Writer::begin_map() { begin_container(Type::Map); }
void Writer::end_map() { end_container(Type::Map); }

void Writer::begin_container(Type t) {
  assert(depth_ < kMaxDepth);
  stack_[depth_++] = OpenContainer{out_.size(), t};
}

void Writer::end_container(Type t) {
  assert(depth_ > 0);
  const OpenContainer open = stack_[--depth_];
  assert(open.type == t);
  const std::size_t payload_size = out_.size() - open.payload_start;

  // The length is known only now; slide the payload right by the prefix width.
  char prefix[kNumberTextMax];
  auto [end, ec] = std::to_chars(prefix, prefix + sizeof prefix - 1, payload_size);
  assert(ec == std::errc{});
  *end++ = ':';
  out_.insert(open.payload_start, prefix, static_cast<std::size_t>(end - prefix));
  out_.push_back(static_cast<char>(t));
}

}  // namespace zedge::tnetstring
