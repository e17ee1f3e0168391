// Command-line parsing in two passes, the way Condure 1.9.1 behaves (its src/main.rs on top of
// clap 3): first the argv scan, where a malformed command line is a usage error (exit 2) and
// --help/--version win as soon as they are reached; then the values are checked in Condure's
// order, so the first complaint is the one Condure would have made (exit 1).
#include "config/config.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <map>
#include <string_view>
#include <variant>

#include "config/number_text.hpp"

namespace zedge::config {
namespace {

enum class FlagKind {
  Value,   // one value; giving the flag twice is an error
  Values,  // repeatable; "--flag a b" takes every following non-flag argument
  Switch,  // no value; giving it twice is an error
  Help,
  Version,
};

struct Flag {
  std::string_view name;  // without the leading "--"
  FlagKind kind;
};

constexpr std::array kFlags = {
    Flag{"log-level", FlagKind::Value},
    Flag{"id", FlagKind::Value},
    Flag{"workers", FlagKind::Value},
    Flag{"req-maxconn", FlagKind::Value},
    Flag{"stream-maxconn", FlagKind::Value},
    Flag{"buffer-size", FlagKind::Value},
    Flag{"body-buffer-size", FlagKind::Value},
    Flag{"messages-max", FlagKind::Value},
    Flag{"req-timeout", FlagKind::Value},
    Flag{"stream-timeout", FlagKind::Value},
    Flag{"listen", FlagKind::Values},
    Flag{"zclient-req", FlagKind::Values},
    Flag{"zclient-stream", FlagKind::Values},
    Flag{"zclient-connect", FlagKind::Switch},
    Flag{"ipc-file-mode", FlagKind::Value},
    Flag{"tls-identities-dir", FlagKind::Value},
    Flag{"compression", FlagKind::Switch},
    Flag{"sizes", FlagKind::Switch},
    Flag{"help", FlagKind::Help},
    Flag{"version", FlagKind::Version},
    // zedge's own flags.
    Flag{"zhttp-keepalive-interval", FlagKind::Value},
    Flag{"zhttp-session-timeout", FlagKind::Value},
    Flag{"header-timeout", FlagKind::Value},
    Flag{"handler-wait-ms", FlagKind::Value},
    Flag{"websocket-message-max", FlagKind::Value},
    Flag{"admin-listen", FlagKind::Value},
    Flag{"admin-token", FlagKind::Value},
    Flag{"admin-token-file", FlagKind::Value},
    Flag{"drain-timeout", FlagKind::Value},
    Flag{"ready-handler-grace", FlagKind::Value},
    Flag{"discovery-interval", FlagKind::Value},
    Flag{"discovery-dns-server", FlagKind::Value},
};

const Flag* find_flag(std::string_view name) {
  const auto* it = std::find_if(kFlags.begin(), kFlags.end(), [name](const Flag& flag) { return flag.name == name; });
  return it == kFlags.end() ? nullptr : it;
}

// What the scan saw: flag name -> its values in order (empty for a switch that was given).
using GivenArgs = std::map<std::string_view, std::vector<std::string>>;

const std::string* single_value(const GivenArgs& given, std::string_view name) {
  const auto it = given.find(name);
  return it == given.end() || it->second.empty() ? nullptr : &it->second.front();
}

ParseResult finished(ParseResult::Action action, std::string message, int exit_code) {
  ParseResult result;
  result.action = action;
  result.message = std::move(message);
  result.exit_code = exit_code;
  return result;
}

ParseResult usage_error(std::string message) { return finished(ParseResult::Action::Error, std::move(message), 2); }

// clap treats any argument of two or more characters starting with '-' as an option, so it
// never becomes a value in "--flag value" form ("--id -x" fails; "--id=-x" and "--id -" work).
bool looks_like_option(std::string_view arg) { return arg.size() > 1 && arg.front() == '-'; }

std::optional<ParseResult> scan_short_options(std::string_view cluster) {
  for (const char c : cluster) {
    if (c == 'h') return finished(ParseResult::Action::Help, help_text(), 0);
    if (c == 'V') return finished(ParseResult::Action::Version, version_text(), 0);
    return usage_error("unknown option '-" + std::string(1, c) + "' (see --help)");
  }
  return std::nullopt;
}

// Records one "--name[=value]" at argv[i], advancing i past any values it consumes.
std::optional<ParseResult> scan_long_option(int argc, const char* const* argv, int& i, GivenArgs& given) {
  const std::string_view arg = argv[i];
  const auto equals = arg.find('=');
  const std::string_view name = arg.substr(2, equals == std::string_view::npos ? equals : equals - 2);
  const Flag* flag = find_flag(name);
  const std::string option = "'--" + std::string(name) + "'";
  if (flag == nullptr) return usage_error("unknown option " + option + " (see --help)");

  const bool inline_value = equals != std::string_view::npos;
  const bool next_is_value = i + 1 < argc && !looks_like_option(argv[i + 1]);
  switch (flag->kind) {
    case FlagKind::Help:
    case FlagKind::Version:
    case FlagKind::Switch:
      if (inline_value) return usage_error("option " + option + " takes no value");
      if (flag->kind == FlagKind::Help) return finished(ParseResult::Action::Help, help_text(), 0);
      if (flag->kind == FlagKind::Version) {
        return finished(ParseResult::Action::Version, version_text(), 0);
      }
      if (!given.try_emplace(flag->name).second) {
        return usage_error("option " + option + " given more than once");
      }
      return std::nullopt;
    case FlagKind::Value:
      if (given.contains(flag->name)) return usage_error("option " + option + " given more than once");
      if (!inline_value && !next_is_value) return usage_error("option " + option + " needs a value");
      given[flag->name].emplace_back(inline_value ? arg.substr(equals + 1) : argv[++i]);
      return std::nullopt;
    case FlagKind::Values: {
      auto& values = given[flag->name];
      if (inline_value) {
        values.emplace_back(arg.substr(equals + 1));
        return std::nullopt;
      }
      if (!next_is_value) return usage_error("option " + option + " needs a value");
      while (i + 1 < argc && !looks_like_option(argv[i + 1])) values.emplace_back(argv[++i]);
      return std::nullopt;
    }
  }
  return std::nullopt;
}

// Pass 1. Returns a finished result for help, version or a usage error.
std::optional<ParseResult> scan_args(int argc, const char* const* argv, GivenArgs& given) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    std::optional<ParseResult> early;
    if (arg == "--") {
      if (i + 1 < argc) early = usage_error("unexpected argument '" + std::string(argv[i + 1]) + "'");
      return early;
    }
    if (arg.starts_with("--")) {
      early = scan_long_option(argc, argv, i, given);
    } else if (looks_like_option(arg)) {
      early = scan_short_options(arg.substr(1));
    } else {
      early = usage_error("unexpected argument '" + std::string(arg) + "'");
    }
    if (early) return early;
  }
  return std::nullopt;
}

// Reads flag `name` into `out` if given; returns an error message if it is not a number of T.
template <typename T>
std::optional<std::string> read_number(const GivenArgs& given, std::string_view name, T& out) {
  const std::string* text = single_value(given, name);
  if (text == nullptr) return std::nullopt;
  const std::string prefix = "failed to parse " + std::string(name) + ": ";
  const auto parsed = detail::parse_decimal(*text);
  if (const auto* reason = std::get_if<std::string>(&parsed)) return prefix + *reason;
  const std::uint64_t value = std::get<std::uint64_t>(parsed);
  if (value > std::numeric_limits<T>::max()) return prefix + "'" + *text + "' is too large";
  out = static_cast<T>(value);
  return std::nullopt;
}

std::optional<std::string> read_numbers(const GivenArgs& given, Config& config) {
  if (auto error = read_number(given, "workers", config.workers)) return error;
  if (auto error = read_number(given, "req-maxconn", config.req_maxconn)) return error;
  if (auto error = read_number(given, "stream-maxconn", config.stream_maxconn)) return error;
  if (auto error = read_number(given, "buffer-size", config.buffer_size)) return error;
  if (auto error = read_number(given, "body-buffer-size", config.body_buffer_size)) return error;
  if (auto error = read_number(given, "messages-max", config.messages_max)) return error;
  if (auto error = read_number(given, "req-timeout", config.req_timeout_seconds)) return error;
  if (auto error = read_number(given, "stream-timeout", config.stream_timeout_seconds)) {
    return error;
  }
  if (auto error = read_number(given, "zhttp-keepalive-interval", config.zhttp_keepalive_interval_seconds)) {
    return error;
  }
  if (auto error = read_number(given, "zhttp-session-timeout", config.zhttp_session_timeout_seconds)) {
    return error;
  }
  if (auto error = read_number(given, "header-timeout", config.header_timeout_seconds)) return error;
  if (auto error = read_number(given, "handler-wait-ms", config.handler_wait_ms)) return error;
  if (auto error = read_number(given, "websocket-message-max", config.websocket_message_max)) return error;
  if (config.websocket_message_max == 0) return "failed to parse websocket-message-max: must be at least 1";
  if (auto error = read_number(given, "drain-timeout", config.drain_timeout_seconds)) return error;
  if (auto error = read_number(given, "ready-handler-grace", config.ready_handler_grace_seconds)) return error;
  if (auto error = read_number(given, "discovery-interval", config.discovery_interval_seconds)) return error;
  if (config.zhttp_keepalive_interval_seconds == 0 || config.zhttp_session_timeout_seconds == 0) {
    return "failed to parse zhttp timers: intervals must be at least 1 second";
  }
  if (const std::string* text = single_value(given, "ipc-file-mode")) {
    // Condure 1.9.1 read this as decimal despite its "<octal>" label (1.10 fixed it to
    // octal); zedge follows the label, so "--ipc-file-mode 660" means rw-rw----.
    const auto mode = detail::parse_octal(*text, kFileModeMax);
    if (const auto* reason = std::get_if<std::string>(&mode)) {
      return "failed to parse ipc-file-mode: " + *reason;
    }
    const std::uint32_t bits = std::get<std::uint32_t>(mode);
    if (bits != 0) config.ipc_file_mode = bits;  // 0 means "leave the files alone"
  }
  return std::nullopt;
}

std::optional<std::string> check_limits(const Config& config) {
  if (config.id.empty() || config.id.find(' ') != std::string::npos) {
    return "failed to parse id: must be non-empty and contain no spaces";
  }
  if (config.workers > kWorkersMax) {
    return "failed to parse workers: at most " + std::to_string(kWorkersMax) + " allowed";
  }
  // Condure 1.9.1 divides by zero on --workers 0; refuse it up front instead.
  if (config.workers == 0) return "failed to parse workers: at least 1 required";
  if (config.req_maxconn > kTotalMaxconnMax || config.stream_maxconn > kTotalMaxconnMax - config.req_maxconn) {
    return "total maxconn is too large: req-maxconn + stream-maxconn must be at most " +
           std::to_string(kTotalMaxconnMax);
  }
  return std::nullopt;
}

std::optional<std::string> read_listens(const GivenArgs& given, Config& config) {
  const auto it = given.find("listen");
  const std::vector<std::string> fallback = {"0.0.0.0:8000,stream"};
  for (const std::string& value : it == given.end() ? fallback : it->second) {
    ListenSpec spec;
    if (auto error = parse_listen(value, spec)) return error;
    config.listens.push_back(std::move(spec));
  }
  return std::nullopt;
}

std::optional<std::string> check_maxconn_vs_workers(const Config& config) {
  const std::string workers = std::to_string(config.workers);
  if (config.req_maxconn < config.workers) {
    return "req-maxconn (" + std::to_string(config.req_maxconn) + ") must be >= workers (" + workers + ")";
  }
  if (config.stream_maxconn < config.workers) {
    return "stream-maxconn (" + std::to_string(config.stream_maxconn) + ") must be >= workers (" + workers + ")";
  }
  return std::nullopt;
}

bool is_port_number(std::string_view text, std::uint64_t max) {
  const bool digits_only =
      !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!digits_only) return false;
  const auto value = detail::parse_decimal(text);
  return std::holds_alternative<std::uint64_t>(value) && std::get<std::uint64_t>(value) <= max;
}

// A req spec is handed to ZeroMQ as is: ipc://PATH or tcp://HOST:PORT (PORT may be '*').
std::optional<std::string> check_req_spec(const std::string& spec) {
  const std::string prefix = "invalid zclient-req spec '" + spec + "': ";
  if (spec.starts_with("ipc://")) return std::nullopt;
  if (!spec.starts_with("tcp://")) return prefix + "must start with ipc:// or tcp://";
  const std::string_view port = std::string_view(spec).substr(spec.rfind(':') + 1);
  if (port != "*" && !is_port_number(port, 65535)) return prefix + "tcp needs HOST:PORT";
  return std::nullopt;
}

// A stream base grows three endpoints: ipc gets -out,
// -out-stream and -in suffixes; tcp uses PORT, PORT+1 and PORT+2, so PORT+2 must still be a
// port (Condure 1.9.1 wraps around to 0 and 1 instead).
std::optional<std::string> check_stream_base(const std::string& base) {
  const std::string prefix = "invalid zclient-stream spec base '" + base + "': ";
  if (base.starts_with("ipc://")) return std::nullopt;
  if (!base.starts_with("tcp://")) return prefix + "must start with ipc:// or tcp://";
  const std::string_view port = std::string_view(base).substr(base.rfind(':') + 1);
  if (!is_port_number(port, 65533)) {
    return prefix + "tcp needs HOST:PORT with PORT at most 65533 (PORT..PORT+2 are used)";
  }
  return std::nullopt;
}

// Like Condure, specs are only checked for the kinds of listener that will use them.
std::optional<std::string> check_zclient_specs(const Config& config) {
  const auto uses = [&config](ListenMode mode) {
    return std::any_of(config.listens.begin(), config.listens.end(),
                       [mode](const ListenSpec& spec) { return spec.mode == mode; });
  };
  if (uses(ListenMode::Req)) {
    for (const std::string& spec : config.zclient_req) {
      if (auto error = check_req_spec(spec)) return error;
    }
  }
  if (uses(ListenMode::Stream)) {
    for (const std::string& base : config.zclient_stream) {
      if (auto error = check_stream_base(base)) return error;
    }
  }
  return std::nullopt;
}

// --admin-listen [addr:]port (a bare port is loopback), and its bearer token.
std::optional<std::string> read_admin(const GivenArgs& given, Config& config) {
  if (const std::string* text = single_value(given, "admin-listen")) {
    std::string value = *text;
    if (is_port_number(value, 65535)) value = "127.0.0.1:" + value;
    ListenSpec spec;
    if (parse_listen(value, spec) || spec.local || spec.tls) {
      return "failed to parse admin-listen: expected [addr:]port, got '" + *text + "'";
    }
    config.admin_listen = spec;
  }
  const std::string* token = single_value(given, "admin-token");
  const std::string* token_file = single_value(given, "admin-token-file");
  if (token != nullptr && token_file != nullptr) return "admin-token and admin-token-file are mutually exclusive";
  if (token != nullptr) {
    if (token->empty()) return "failed to parse admin-token: must be non-empty";
    config.admin_token = *token;
  }
  if (token_file != nullptr) config.admin_token_file = *token_file;
  return std::nullopt;
}

// Pass 2, in Condure's order.
std::optional<std::string> build_config(const GivenArgs& given, Config& config) {
  auto level = static_cast<std::uint64_t>(config.log_level);
  if (auto error = read_number(given, "log-level", level)) return error;
  config.log_level = static_cast<int>(std::min<std::uint64_t>(level, 4));  // 4 and up: trace
  config.sizes = given.contains("sizes");
  if (config.sizes) return std::nullopt;  // Condure prints sizes before reading anything else

  if (auto error = read_numbers(given, config)) return error;
  if (const std::string* id = single_value(given, "id")) config.id = *id;
  if (const std::string* dir = single_value(given, "tls-identities-dir")) {
    config.tls_identities_dir = *dir;
  }
  if (const auto it = given.find("zclient-req"); it != given.end()) config.zclient_req = it->second;
  if (const auto it = given.find("zclient-stream"); it != given.end()) {
    config.zclient_stream = it->second;
  }
  config.zclient_connect = given.contains("zclient-connect");
  config.compression = given.contains("compression");
  if (auto error = read_admin(given, config)) return error;
  if (const std::string* server = single_value(given, "discovery-dns-server")) config.discovery_dns_server = *server;

  if (auto error = check_limits(config)) return error;
  if (auto error = read_listens(given, config)) return error;
  if (auto error = check_maxconn_vs_workers(config)) return error;
  return check_zclient_specs(config);
}

}  // namespace

ParseResult parse_args(int argc, const char* const* argv) {
  GivenArgs given;
  if (auto early = scan_args(argc, argv, given)) return std::move(*early);
  ParseResult result;
  if (auto error = build_config(given, result.config)) {
    result.action = ParseResult::Action::Error;
    result.message = std::move(*error);
    result.exit_code = 1;
  }
  return result;
}

}  // namespace zedge::config
