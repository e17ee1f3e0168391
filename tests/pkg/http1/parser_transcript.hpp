// Test support: runs a RequestParser the way a connection does (a buffer that grows as
// pieces arrive, unconsumed bytes kept) and writes down what it saw as text, so that
// different ways of cutting the same bytes can be compared.
#pragma once

#include <cstddef>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "http1/request_parser.hpp"

namespace zedge::http1::testing {

// Spells out bytes with embedded NULs: bytes("a\0b") has size 3.
template <std::size_t N>
std::string bytes(const char (&s)[N]) {
  return std::string(s, N - 1);
}

struct Transcript {
  std::string text;                  // one line per head, body run, completion, error
  std::vector<std::string> targets;  // request-target of each HeadComplete
  std::optional<int> error_status;
  std::string unconsumed;  // bytes left in the buffer at the end (none after an error:
                           // how far a dead parser read does not matter)

  bool operator==(const Transcript&) const = default;
};

void PrintTo(const Transcript& t, std::ostream* os);

// Feeds `input` cut at `cuts` (ascending offsets). Stops at Error, or after the
// MessageComplete of a WebSocket upgrade request (the connection would switch protocols).
Transcript drive(std::string_view input, const std::vector<std::size_t>& cuts, ParserLimits limits = {});

Transcript drive_whole(std::string_view input, ParserLimits limits = {});
Transcript drive_bytewise(std::string_view input, ParserLimits limits = {});

}  // namespace zedge::http1::testing
