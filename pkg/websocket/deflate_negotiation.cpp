#include "websocket/deflate_negotiation.hpp"

#include "utf8/utf8_validator.hpp"

namespace zedge::websocket {

namespace {

constexpr std::string_view kExtensionName = "permessage-deflate";
constexpr int kMinDeflateWindowBits = 8;

// Condure trims names and plain values with Rust's str::trim (ASCII part: these six) but skips
// the space before a value with is_ascii_whitespace, which leaves out \v. Non-ASCII Unicode
// spaces, which str::trim also removes, are not handled here.
constexpr std::string_view kTrimmed = " \t\n\v\f\r";
constexpr std::string_view kSkippedBeforeValue = " \t\n\f\r";

std::string_view trim(std::string_view s) {
  const std::size_t first = s.find_first_not_of(kTrimmed);
  if (first == std::string_view::npos) return {};
  const std::size_t last = s.find_last_not_of(kTrimmed);
  return s.substr(first, last - first + 1);
}

std::string_view skip_space(std::string_view s) {
  const std::size_t first = s.find_first_not_of(kSkippedBeforeValue);
  return first == std::string_view::npos ? std::string_view{} : s.substr(first);
}

struct Param {
  std::string_view name;
  std::string_view value;  // empty for `name` alone, `name=` and `name=""`
};

// Reads the parameter at the front of `rest` (the text after an element's `;`). Returns false
// on a syntax error. Otherwise `more` says whether another parameter follows (`rest` is then
// after the `;`); when not, `rest` is empty or starts at the `,` ending the element.
bool read_param(std::string_view& rest, Param& param, bool& more) {
  const std::size_t pos = rest.find_first_of("=;,");
  std::string_view name = rest.substr(0, pos);
  param.value = {};
  if (pos == std::string_view::npos) {
    rest = {};
    more = false;
  } else if (rest[pos] == ';') {
    rest.remove_prefix(pos + 1);
    more = true;
  } else if (rest[pos] == ',') {
    rest.remove_prefix(pos);
    more = false;
  } else {
    std::string_view value = skip_space(rest.substr(pos + 1));
    std::string_view after;
    if (!value.empty() && value.front() == '"') {
      const std::size_t close = value.find('"', 1);
      if (close == std::string_view::npos) return false;
      after = skip_space(value.substr(close + 1));
      value = value.substr(1, close - 1);
    } else {
      const std::size_t end = value.find_first_of(";,");
      if (end != std::string_view::npos) after = value.substr(end);
      value = trim(value.substr(0, end));
    }
    param.value = value;
    more = !after.empty() && after.front() == ';';
    if (!after.empty() && !more && after.front() != ',') return false;  // `a="b" c`
    rest = more ? after.substr(1) : after;
  }
  param.name = trim(name);
  return !param.name.empty();
}

// Reads the list element at the front of `rest`: its name and the text of its parameters
// (`params`, empty when it has none; read them with read_param). `rest` is left after the
// element's `,`; `last` says whether it was the final element. Returns false on a syntax error
// anywhere in the element, parameters included.
bool read_element(std::string_view& rest, std::string_view& name, std::string_view& params, bool& last) {
  const std::size_t pos = rest.find_first_of(";,");
  name = trim(rest.substr(0, pos));
  params = {};
  if (pos == std::string_view::npos) {
    rest = {};
    last = true;
  } else if (rest[pos] == ',') {
    rest.remove_prefix(pos + 1);
    last = false;
  } else {
    params = rest.substr(pos + 1);
    std::string_view cursor = params;
    Param param;
    bool more = true;
    while (more) {
      if (!read_param(cursor, param, more)) return false;
    }
    params = params.substr(0, params.size() - cursor.size());
    last = cursor.empty();
    rest = last ? cursor : cursor.substr(1);
  }
  return !name.empty();
}

// Calls on_element(name, params) for each element of every field; false on a syntax error.
template <typename OnElement>
bool for_each_element(std::span<const std::string_view> field_values, OnElement on_element) {
  for (std::string_view rest : field_values) {
    // Condure reads a field that is not UTF-8 as an empty string, and an empty list is an error.
    if (!utf8::is_valid(rest)) return false;
    bool last = false;
    while (!last) {
      std::string_view name;
      std::string_view params;
      if (!read_element(rest, name, params, last)) return false;
      on_element(name, params);
    }
  }
  return true;
}

// A window size as Condure reads it (Rust's u8 parse: an optional `+`, then digits), 8..15.
std::optional<int> parse_window_bits(std::string_view value) {
  if (!value.empty() && value.front() == '+') value.remove_prefix(1);
  if (value.empty()) return std::nullopt;
  int bits = 0;
  for (const char c : value) {
    if (c < '0' || c > '9') return std::nullopt;
    bits = bits * 10 + (c - '0');
    if (bits > kMaxDeflateWindowBits) return std::nullopt;  // also stops overflow
  }
  if (bits < kMinDeflateWindowBits) return std::nullopt;
  return bits;
}

// The agreed parameters for one well-formed permessage-deflate offer, or nullopt.
std::optional<DeflateParams> accept_offer(std::string_view params_text) {
  DeflateParams agreed;
  bool client_bits_seen = false;
  bool server_bits_seen = false;
  std::string_view rest = params_text;
  bool more = !rest.empty();
  while (more) {
    Param param;
    if (!read_param(rest, param, more)) return std::nullopt;  // checked before: cannot happen
    // A flag takes no value (RFC 7692 §7.1.1); Condure lets `flag=` and `flag=""` through.
    const auto set_flag = [&param](bool& flag) {
      if (flag || !param.value.empty()) return false;
      flag = true;
      return true;
    };
    if (param.name == "client_no_context_takeover") {
      if (!set_flag(agreed.client_no_context_takeover)) return std::nullopt;
    } else if (param.name == "server_no_context_takeover") {
      if (!set_flag(agreed.server_no_context_takeover)) return std::nullopt;
    } else if (param.name == "client_max_window_bits") {
      // Empty means "the client supports the parameter" (RFC 7692 §7.1.2.2). Whatever value is
      // offered, Condure answers without it, so the client keeps the 15-bit window.
      if (client_bits_seen) return std::nullopt;
      client_bits_seen = true;
      if (!param.value.empty() && !parse_window_bits(param.value)) return std::nullopt;
    } else if (param.name == "server_max_window_bits") {
      if (server_bits_seen) return std::nullopt;
      server_bits_seen = true;
      if (parse_window_bits(param.value) != kMaxDeflateWindowBits) return std::nullopt;
    } else {
      return std::nullopt;  // unknown parameter (RFC 7692 §7.1: decline the offer)
    }
  }
  return agreed;
}

}  // namespace

bool extension_fields_well_formed(std::span<const std::string_view> field_values) {
  return for_each_element(field_values, [](std::string_view, std::string_view) {});
}

std::optional<DeflateParams> negotiate_permessage_deflate(std::span<const std::string_view> field_values) {
  std::optional<DeflateParams> agreed;
  const bool well_formed = for_each_element(field_values, [&agreed](std::string_view name, std::string_view params) {
    if (!agreed && name == kExtensionName) agreed = accept_offer(params);
  });
  if (!well_formed) return std::nullopt;
  return agreed;
}

std::string deflate_response_value(const DeflateParams& params) {
  std::string value(kExtensionName);
  if (params.client_no_context_takeover) value += "; client_no_context_takeover";
  if (params.server_no_context_takeover) value += "; server_no_context_takeover";
  if (params.client_max_window_bits != kMaxDeflateWindowBits) {
    value += "; client_max_window_bits=" + std::to_string(params.client_max_window_bits);
  }
  if (params.server_max_window_bits != kMaxDeflateWindowBits) {
    value += "; server_max_window_bits=" + std::to_string(params.server_max_window_bits);
  }
  return value;
}

}  // namespace zedge::websocket
