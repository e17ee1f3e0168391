#include "config/number_text.hpp"

#include <limits>

namespace zedge::config::detail {
namespace {

// Condure (Rust's integer parsers) tolerates one leading '+'.
std::string_view strip_plus(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  return text;
}

std::string quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

}  // namespace

NumberOrReason<std::uint64_t> parse_decimal(std::string_view text) {
  if (text.empty()) return std::string("empty value");
  const std::string_view digits = strip_plus(text);
  if (digits.empty()) return quoted(text) + " is not a number";
  std::uint64_t value = 0;
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
  for (const char c : digits) {
    if (c < '0' || c > '9') return quoted(text) + " is not a non-negative decimal integer";
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (kMax - digit) / 10) return quoted(text) + " is too large";
    value = value * 10 + digit;
  }
  return value;
}

NumberOrReason<std::uint32_t> parse_octal(std::string_view text, std::uint32_t max_value) {
  if (text.empty()) return std::string("empty value");
  const std::string_view digits = strip_plus(text);
  if (digits.empty()) return quoted(text) + " is not an octal number";
  std::uint64_t value = 0;  // wide enough that value * 8 + 7 never wraps before the check
  for (const char c : digits) {
    if (c < '0' || c > '7') return quoted(text) + " is not an octal number";
    value = value * 8 + static_cast<std::uint64_t>(c - '0');
    if (value > max_value) {
      return quoted(text) + " is too large (at most 0" + octal_text(max_value) + ")";
    }
  }
  return static_cast<std::uint32_t>(value);
}

std::string octal_text(std::uint32_t value) {
  std::string text;
  do {
    text.insert(text.begin(), static_cast<char>('0' + value % 8));
    value /= 8;
  } while (value != 0);
  return text;
}

}  // namespace zedge::config::detail
