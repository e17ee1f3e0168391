// --listen values. Condure splits on ',', treats the first part
// as the endpoint and every later part as `key` or `key=value`; keys it knows ignore any
// value they do not need ("stream=1" is just "stream"), unknown keys are errors.
#include <arpa/inet.h>

#include <cstdint>
#include <limits>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "config/config.hpp"
#include "config/number_text.hpp"

namespace zedge::config {
namespace {

constexpr std::string_view kErrorPrefix = "failed to parse listen: ";
constexpr std::uint64_t kPortMax = 65535;

std::string listen_error(std::string_view detail) { return std::string(kErrorPrefix) + std::string(detail); }

std::vector<std::string_view> split_commas(std::string_view text) {
  std::vector<std::string_view> parts;
  for (;;) {
    const auto comma = text.find(',');
    parts.push_back(text.substr(0, comma));
    if (comma == std::string_view::npos) return parts;
    text.remove_prefix(comma + 1);
  }
}

// Digits only (condure rejects a '+' here, unlike in numeric flags); nullopt if not.
std::optional<std::uint64_t> plain_decimal(std::string_view text) {
  if (text.empty() || text.front() == '+') return std::nullopt;
  const auto value = detail::parse_decimal(text);
  if (const auto* number = std::get_if<std::uint64_t>(&value)) return *number;
  return std::nullopt;
}

bool is_ipv4_literal(const std::string& text) {
  in_addr parsed{};
  return inet_pton(AF_INET, text.c_str(), &parsed) == 1;
}

// Condure (Rust's SocketAddrV6 parser) accepts an optional numeric scope id: "fe80::1%2".
bool is_ipv6_literal(std::string_view text) {
  const auto percent = text.find('%');
  if (percent != std::string_view::npos) {
    const auto scope = plain_decimal(text.substr(percent + 1));
    if (!scope || *scope > std::numeric_limits<std::uint32_t>::max()) return false;
    text = text.substr(0, percent);
  }
  in6_addr parsed{};
  return inet_pton(AF_INET6, std::string(text).c_str(), &parsed) == 1;
}

// "[addr:]port" or "[v6]:port". Like condure, the port is whatever follows the last ':'.
std::optional<std::string> parse_tcp_endpoint(std::string_view endpoint, ListenSpec& out) {
  const auto colon = endpoint.rfind(':');
  const std::string_view port_text = colon == std::string_view::npos ? endpoint : endpoint.substr(colon + 1);
  const auto port = plain_decimal(port_text);
  if (!port || *port > kPortMax) return listen_error("invalid port '" + std::string(port_text) + "'");
  out.port = static_cast<std::uint16_t>(*port);

  if (colon == std::string_view::npos) {
    out.address = "0.0.0.0";  // a bare port listens on every IPv4 interface
    return std::nullopt;
  }
  const std::string_view host = endpoint.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    const std::string_view inner = host.substr(1, host.size() - 2);
    if (is_ipv6_literal(inner)) {
      out.address = std::string(inner);
      out.ipv6 = true;
      return std::nullopt;
    }
  } else if (is_ipv4_literal(std::string(host))) {
    out.address = std::string(host);
    return std::nullopt;
  }
  return listen_error("invalid address '" + std::string(host) +
                      "' (want an IPv4 address or a bracketed IPv6 address such as [::1])");
}

// Applies one ",key[=value]" part; returns an error message for an unknown key or bad value.
std::optional<std::string> apply_param(std::string_view part, ListenSpec& out) {
  const auto equals = part.find('=');
  const std::string_view key = part.substr(0, equals);
  const std::string_view value = equals == std::string_view::npos ? std::string_view{} : part.substr(equals + 1);

  if (key == "stream") {
    out.mode = ListenMode::Stream;
  } else if (key == "req") {
    out.mode = ListenMode::Req;
  } else if (key == "tls") {
    out.tls = true;
  } else if (key == "default-cert") {
    out.default_cert = std::string(value);
  } else if (key == "local") {
    out.local = true;
  } else if (key == "mode") {  // condure 1.10
    const auto mode = detail::parse_octal(value, kFileModeMax);
    if (const auto* reason = std::get_if<std::string>(&mode)) {
      return listen_error("invalid mode: " + *reason);
    }
    out.local_mode = std::get<std::uint32_t>(mode);
  } else if (key == "user" || key == "group") {  // condure 1.10
    if (value.empty()) return listen_error(std::string(key) + "= needs a name");
    (key == "user" ? out.local_user : out.local_group) = std::string(value);
  } else {
    return listen_error("invalid param '" + std::string(part) + "'");
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> parse_listen(const std::string& value, ListenSpec& out) {
  ListenSpec spec;
  const auto parts = split_commas(value);
  for (std::size_t i = 1; i < parts.size(); ++i) {
    if (auto error = apply_param(parts[i], spec)) return error;
  }

  const std::string_view endpoint = parts.front();
  if (endpoint.starts_with("fd:") || endpoint.starts_with("systemd:")) {
    if (spec.local) return listen_error("an inherited socket takes no 'local' (its kind comes from the socket)");
    if (endpoint.starts_with("fd:")) {
      const auto fd = plain_decimal(endpoint.substr(3));
      if (!fd || *fd > static_cast<std::uint64_t>(std::numeric_limits<int>::max())) {
        return listen_error("invalid descriptor '" + std::string(endpoint) + "' (want fd:N)");
      }
      spec.inherited_fd = static_cast<int>(*fd);
    } else {
      spec.systemd_name = std::string(endpoint.substr(8));
      if (spec.systemd_name.empty()) return listen_error("systemd: needs a socket name or index");
    }
    out = std::move(spec);
    return std::nullopt;
  }
  if (spec.local) {
    // Condure binds an autobound abstract socket for an empty path; nobody means that.
    if (endpoint.empty()) return listen_error("empty unix socket path");
    spec.path = std::string(endpoint);
    spec.tls = false;  // condure never runs TLS on unix sockets
    spec.default_cert.clear();
  } else {
    if (auto error = parse_tcp_endpoint(endpoint, spec)) return error;
    spec.local_mode.reset();
    spec.local_user.clear();
    spec.local_group.clear();
  }
  out = std::move(spec);
  return std::nullopt;
}

std::string ListenSpec::to_string() const {
  std::string text;
  if (inherited_fd) {
    text = "fd:" + std::to_string(*inherited_fd);
  } else if (!systemd_name.empty()) {
    text = "systemd:" + systemd_name;
  } else if (local) {
    text = path;
  } else {
    text = (ipv6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
  }
  text += mode == ListenMode::Stream ? ",stream" : ",req";
  if (tls) text += ",tls";
  if (!default_cert.empty()) text += ",default-cert=" + default_cert;
  if (local) text += ",local";
  if (local_mode) text += ",mode=" + detail::octal_text(*local_mode);
  if (!local_user.empty()) text += ",user=" + local_user;
  if (!local_group.empty()) text += ",group=" + local_group;
  return text;
}

}  // namespace zedge::config
