// Small helpers for HTTP field syntax (RFC 9110 §5.5, §5.6): case-insensitive names,
// optional whitespace, tokens and comma-separated lists. The one home of these for every
// package that reads header fields (websocket, session, admin).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace zedge::http1 {

// ASCII case-insensitive equality; field names and most tokens compare this way.
bool equals_ignore_case(std::string_view a, std::string_view b);

// Strips leading and trailing OWS (SP / HTAB).
std::string_view trim_ows(std::string_view s);

// tchar per RFC 9110 §5.6.2.
bool is_tchar(char c);
bool is_token(std::string_view s);

// Calls fn(element) for each non-empty element of a comma-separated list, trimmed of OWS.
// Empty elements are skipped, as RFC 9110 §5.6.1 asks recipients to do.
template <typename Fn>
void for_each_list_element(std::string_view list, Fn&& fn) {
  while (true) {
    const std::size_t comma = list.find(',');
    const std::string_view element = trim_ows(list.substr(0, comma));
    if (!element.empty()) fn(element);
    if (comma == std::string_view::npos) return;
    list.remove_prefix(comma + 1);
  }
}

// True if the comma-separated list contains `token` (case-insensitive).
bool list_contains(std::string_view list, std::string_view token);

// 1*DIGIT (after trimming OWS) that fits in a signed 64-bit integer, else nullopt.
// The signed cap keeps us in agreement with peers that parse lengths as int64.
std::optional<std::uint64_t> parse_decimal_length(std::string_view s);

inline constexpr std::uint64_t kMaxBodyLengthBytes = 0x7fff'ffff'ffff'ffffULL;

}  // namespace zedge::http1
