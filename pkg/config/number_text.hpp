// Strict number parsing for command-line values. Condure parses these with Rust's
// integer parsers: an optional '+', then ASCII digits only, no spaces, no sign '-',
// and overflow is an error. These helpers accept exactly that and say why when not.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace zedge::config::detail {

// Either the parsed value or a reason phrase such as "empty value".
template <typename T>
using NumberOrReason = std::variant<T, std::string>;

NumberOrReason<std::uint64_t> parse_decimal(std::string_view text);

// Octal, for permission modes: digits 0-7 only, at most max_value.
NumberOrReason<std::uint32_t> parse_octal(std::string_view text, std::uint32_t max_value);

// "644" for 0644; "0" for zero.
std::string octal_text(std::uint32_t value);

}  // namespace zedge::config::detail
