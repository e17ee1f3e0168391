// zedge's command line, checked against what Condure 1.9.1 accepts and rejects
// (behaviour observed by running Debian's condure 1.9.1).
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace zedge::config {
namespace {

using Action = ParseResult::Action;

ParseResult parse(std::vector<std::string> args) {
  args.insert(args.begin(), "zedge");
  std::vector<const char*> argv;
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  argv.push_back(nullptr);
  return parse_args(static_cast<int>(args.size()), argv.data());
}

Config parsed(const std::vector<std::string>& args) {
  const ParseResult result = parse(args);
  EXPECT_EQ(result.action, Action::Run) << result.message;
  EXPECT_EQ(result.exit_code, 0);
  return result.config;
}

// Runs the check on both "--flag value" and "--flag=value".
void expect_both_forms(const std::string& flag, const std::string& value,
                       const std::function<void(const Config&)>& check) {
  SCOPED_TRACE(flag + " " + value);
  check(parsed({flag, value}));
  check(parsed({flag + "=" + value}));
}

// A bad value: condure logs it and exits 1.
std::string value_error(const std::vector<std::string>& args) {
  const ParseResult result = parse(args);
  EXPECT_EQ(result.action, Action::Error);
  EXPECT_EQ(result.exit_code, 1);
  return result.message;
}

// A malformed command line: clap prints usage and exits 2.
std::string usage_error(const std::vector<std::string>& args) {
  const ParseResult result = parse(args);
  EXPECT_EQ(result.action, Action::Error);
  EXPECT_EQ(result.exit_code, 2);
  return result.message;
}

TEST(ParseArgs, DefaultsMatchCondure) {
  const Config config = parsed({});
  EXPECT_EQ(config.log_level, 2);
  EXPECT_EQ(config.id, "condure");
  EXPECT_EQ(config.workers, 2U);
  EXPECT_EQ(config.req_maxconn, 100U);
  EXPECT_EQ(config.stream_maxconn, 10000U);
  EXPECT_EQ(config.buffer_size, 8192U);
  EXPECT_EQ(config.body_buffer_size, 100000U);
  EXPECT_EQ(config.messages_max, 100U);
  EXPECT_EQ(config.req_timeout_seconds, 30U);
  EXPECT_EQ(config.stream_timeout_seconds, 1800U);
  ASSERT_EQ(config.listens.size(), 1U);
  EXPECT_EQ(config.listens[0].to_string(), "0.0.0.0:8000,stream");
  EXPECT_EQ(config.zclient_req, std::vector<std::string>{"ipc://client"});
  EXPECT_EQ(config.zclient_stream, std::vector<std::string>{"ipc://client"});
  EXPECT_FALSE(config.zclient_connect);
  EXPECT_FALSE(config.ipc_file_mode.has_value());
  EXPECT_EQ(config.tls_identities_dir, ".");
  EXPECT_FALSE(config.compression);
  EXPECT_FALSE(config.sizes);
}

TEST(ParseArgs, PushpinArgvIsAccepted) {
  // fastly/pushpin v1.36.0 src/runner/condureservice.cpp, as captured from a running runner.
  const Config config = parsed({
      "--log-level=2",
      "--listen=0.0.0.0:7999,stream",
      "--listen=[::1]:7998,stream",
      "--listen=127.0.0.1:8443,stream,tls,default-cert=default_8443",
      "--zclient-stream=ipc:///var/run/pushpin/pushpin-condure",
      "--buffer-size=8192",
      "--stream-maxconn=50000",
      "--tls-identities-dir=/etc/pushpin/runner/certs",
  });
  EXPECT_EQ(config.log_level, 2);
  ASSERT_EQ(config.listens.size(), 3U);
  EXPECT_EQ(config.listens[0].address, "0.0.0.0");
  EXPECT_EQ(config.listens[0].port, 7999);
  EXPECT_EQ(config.listens[0].mode, ListenMode::Stream);
  EXPECT_EQ(config.listens[1].address, "::1");
  EXPECT_TRUE(config.listens[1].ipv6);
  EXPECT_EQ(config.listens[1].port, 7998);
  EXPECT_EQ(config.listens[2].address, "127.0.0.1");
  EXPECT_EQ(config.listens[2].port, 8443);
  EXPECT_TRUE(config.listens[2].tls);
  EXPECT_EQ(config.listens[2].default_cert, "default_8443");
  EXPECT_EQ(config.zclient_stream, std::vector<std::string>{"ipc:///var/run/pushpin/pushpin-condure"});
  EXPECT_EQ(config.zclient_req, std::vector<std::string>{"ipc://client"});
  EXPECT_EQ(config.buffer_size, 8192U);
  EXPECT_EQ(config.stream_maxconn, 50000U);
  EXPECT_EQ(config.tls_identities_dir, "/etc/pushpin/runner/certs");
  EXPECT_EQ(config.workers, 2U);
  EXPECT_EQ(config.req_maxconn, 100U);
}

TEST(ParseArgs, LogLevel) {
  expect_both_forms("--log-level", "0", [](const Config& c) { EXPECT_EQ(c.log_level, 0); });
  expect_both_forms("--log-level", "3", [](const Config& c) { EXPECT_EQ(c.log_level, 3); });
  expect_both_forms("--log-level", "4", [](const Config& c) { EXPECT_EQ(c.log_level, 4); });
  // Condure treats anything above 4 as trace.
  expect_both_forms("--log-level", "99", [](const Config& c) { EXPECT_EQ(c.log_level, 4); });
  expect_both_forms("--log-level", "18446744073709551615", [](const Config& c) { EXPECT_EQ(c.log_level, 4); });
}

TEST(ParseArgs, Id) {
  expect_both_forms("--id", "edge-1", [](const Config& c) { EXPECT_EQ(c.id, "edge-1"); });
  expect_both_forms("--id", "-", [](const Config& c) { EXPECT_EQ(c.id, "-"); });
  EXPECT_EQ(parsed({"--id=-x"}).id, "-x");
  EXPECT_EQ(parsed({"--id=a=b"}).id, "a=b");  // only the first '=' separates
}

TEST(ParseArgs, Workers) {
  expect_both_forms("--workers", "1", [](const Config& c) { EXPECT_EQ(c.workers, 1U); });
  expect_both_forms("--workers", "+3", [](const Config& c) { EXPECT_EQ(c.workers, 3U); });
  EXPECT_EQ(parsed({"--workers", "1024", "--req-maxconn", "1024", "--stream-maxconn", "1024"}).workers, 1024U);
}

TEST(ParseArgs, Maxconn) {
  expect_both_forms("--req-maxconn", "5000", [](const Config& c) { EXPECT_EQ(c.req_maxconn, 5000U); });
  expect_both_forms("--stream-maxconn", "50000", [](const Config& c) { EXPECT_EQ(c.stream_maxconn, 50000U); });
  const Config at_limit = parsed({"--req-maxconn", "2", "--stream-maxconn", "9999998"});
  EXPECT_EQ(at_limit.req_maxconn + at_limit.stream_maxconn, 10000000U);
  const Config equal_to_workers = parsed({"--workers", "4", "--req-maxconn", "4", "--stream-maxconn", "4"});
  EXPECT_EQ(equal_to_workers.req_maxconn, 4U);
}

TEST(ParseArgs, SizesAndTimeouts) {
  expect_both_forms("--buffer-size", "16384", [](const Config& c) { EXPECT_EQ(c.buffer_size, 16384U); });
  expect_both_forms("--body-buffer-size", "1000000", [](const Config& c) { EXPECT_EQ(c.body_buffer_size, 1000000U); });
  expect_both_forms("--messages-max", "7", [](const Config& c) { EXPECT_EQ(c.messages_max, 7U); });
  expect_both_forms("--req-timeout", "5", [](const Config& c) { EXPECT_EQ(c.req_timeout_seconds, 5U); });
  expect_both_forms("--stream-timeout", "60", [](const Config& c) { EXPECT_EQ(c.stream_timeout_seconds, 60U); });
  expect_both_forms("--header-timeout", "10", [](const Config& c) { EXPECT_EQ(c.header_timeout_seconds, 10U); });
  expect_both_forms("--header-timeout", "0", [](const Config& c) { EXPECT_EQ(c.header_timeout_seconds, 0U); });
  // Condure accepts zero for all of these.
  expect_both_forms("--buffer-size", "0", [](const Config& c) { EXPECT_EQ(c.buffer_size, 0U); });
  expect_both_forms("--stream-timeout", "0", [](const Config& c) { EXPECT_EQ(c.stream_timeout_seconds, 0U); });
}

TEST(ParseArgs, Listen) {
  expect_both_forms("--listen", "127.0.0.1:18001,req", [](const Config& c) {
    ASSERT_EQ(c.listens.size(), 1U);
    EXPECT_EQ(c.listens[0].to_string(), "127.0.0.1:18001,req");
  });
}

TEST(ParseArgs, ListenRepeatsInOrderAndReplacesTheDefault) {
  const Config config = parsed({"--listen", "7999", "--listen=[::1]:7998", "--listen", "/tmp/s,local"});
  ASSERT_EQ(config.listens.size(), 3U);
  EXPECT_EQ(config.listens[0].to_string(), "0.0.0.0:7999,stream");
  EXPECT_EQ(config.listens[1].to_string(), "[::1]:7998,stream");
  EXPECT_EQ(config.listens[2].to_string(), "/tmp/s,stream,local");
}

TEST(ParseArgs, ListenTakesEveryFollowingValue) {
  // clap's multiple values: "--listen a b" is two listeners, up to the next option.
  const Config config = parsed({"--listen", "7999", "8000,req", "--workers", "1"});
  ASSERT_EQ(config.listens.size(), 2U);
  EXPECT_EQ(config.listens[1].to_string(), "0.0.0.0:8000,req");
  EXPECT_EQ(config.workers, 1U);
  // ...but "--listen=a" takes just the one.
  EXPECT_EQ(usage_error({"--listen=7999", "8000"}), "unexpected argument '8000'");
}

TEST(ParseArgs, ZclientReq) {
  expect_both_forms("--zclient-req", "tcp://127.0.0.1:5555", [](const Config& c) {
    EXPECT_EQ(c.zclient_req, std::vector<std::string>{"tcp://127.0.0.1:5555"});
  });
  const Config repeated = parsed({"--listen", "8000,req", "--zclient-req", "ipc://a", "--zclient-req=ipc://b",
                                  "--zclient-req", "ipc://c", "ipc://d"});
  EXPECT_EQ(repeated.zclient_req, (std::vector<std::string>{"ipc://a", "ipc://b", "ipc://c", "ipc://d"}));
  EXPECT_EQ(parsed({"--listen", "8000,req", "--zclient-req", "tcp://*:*"}).zclient_req[0], "tcp://*:*");
}

TEST(ParseArgs, ZclientStream) {
  expect_both_forms("--zclient-stream", "tcp://127.0.0.1:5560", [](const Config& c) {
    EXPECT_EQ(c.zclient_stream, std::vector<std::string>{"tcp://127.0.0.1:5560"});
  });
  const Config repeated = parsed({"--zclient-stream", "ipc:///tmp/a", "ipc:///tmp/b"});
  EXPECT_EQ(repeated.zclient_stream, (std::vector<std::string>{"ipc:///tmp/a", "ipc:///tmp/b"}));
  EXPECT_EQ(parsed({"--zclient-stream", "tcp://[::1]:65533"}).zclient_stream[0], "tcp://[::1]:65533");
}

TEST(ParseArgs, Switches) {
  const Config config = parsed({"--zclient-connect", "--compression"});
  EXPECT_TRUE(config.zclient_connect);
  EXPECT_TRUE(config.compression);
  EXPECT_FALSE(config.sizes);
  EXPECT_TRUE(parsed({"--sizes"}).sizes);
}

TEST(ParseArgs, IpcFileModeIsOctal) {
  expect_both_forms("--ipc-file-mode", "660", [](const Config& c) {
    ASSERT_TRUE(c.ipc_file_mode.has_value());
    EXPECT_EQ(*c.ipc_file_mode, 0660U);
  });
  EXPECT_EQ(*parsed({"--ipc-file-mode", "0777"}).ipc_file_mode, 0777U);
  EXPECT_EQ(*parsed({"--ipc-file-mode", "7777"}).ipc_file_mode, 07777U);
  // Zero means "leave the files alone", the same as not giving the flag.
  EXPECT_FALSE(parsed({"--ipc-file-mode", "0"}).ipc_file_mode.has_value());
}

TEST(ParseArgs, TlsIdentitiesDir) {
  expect_both_forms("--tls-identities-dir", "/etc/pushpin/runner/certs",
                    [](const Config& c) { EXPECT_EQ(c.tls_identities_dir, "/etc/pushpin/runner/certs"); });
}

TEST(ParseArgs, SizesSkipsEverythingButLogLevel) {
  // Condure prints its sizes right after reading --log-level, before checking anything else.
  const ParseResult result = parse({"--sizes", "--workers", "abc", "--listen", "bogus"});
  EXPECT_EQ(result.action, Action::Run);
  EXPECT_TRUE(result.config.sizes);
  EXPECT_EQ(value_error({"--sizes", "--log-level", "x"}),
            "failed to parse log-level: 'x' is not a non-negative decimal integer");
}

TEST(ParseArgs, Help) {
  for (const char* flag : {"--help", "-h", "-hV"}) {
    const ParseResult result = parse({flag});
    EXPECT_EQ(result.action, Action::Help) << flag;
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_EQ(result.message, help_text());
  }
  // Values are checked only after the scan, so help wins over a bad value or a later bad flag.
  EXPECT_EQ(parse({"--workers", "abc", "--help"}).action, Action::Help);
  EXPECT_EQ(parse({"--help", "--bogus"}).action, Action::Help);
  // A malformed command line before it still fails.
  EXPECT_EQ(usage_error({"--bogus", "--help"}), "unknown option '--bogus' (see --help)");
  EXPECT_EQ(usage_error({"--help=1"}), "option '--help' takes no value");
}

TEST(ParseArgs, Version) {
  for (const char* flag : {"--version", "-V", "-Vh"}) {
    const ParseResult result = parse({flag});
    EXPECT_EQ(result.action, Action::Version) << flag;
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_EQ(result.message, std::string("zedge ") + ZEDGE_VERSION);
  }
  EXPECT_EQ(parse({"--version", "--help"}).action, Action::Version);
  EXPECT_EQ(usage_error({"--version=1"}), "option '--version' takes no value");
}

TEST(HelpText, ListsEveryFlagWithItsDefault) {
  const std::string help = help_text();
  EXPECT_EQ(help.rfind(version_text(), 0), 0U);
  for (const char* flag : {"--log-level <N>",
                           "--id <ID>",
                           "--workers <N>",
                           "--req-maxconn <N>",
                           "--stream-maxconn <N>",
                           "--buffer-size <N>",
                           "--body-buffer-size <N>",
                           "--messages-max <N>",
                           "--req-timeout <N>",
                           "--stream-timeout <N>",
                           "--listen <[addr:]port[,params...]>",
                           "--zclient-req <spec>",
                           "--zclient-stream <spec-base>",
                           "--zclient-connect",
                           "--ipc-file-mode <octal>",
                           "--tls-identities-dir <directory>",
                           "--compression",
                           "--sizes",
                           "-h, --help",
                           "-V, --version",
                           "--header-timeout <N>"}) {
    EXPECT_NE(help.find(flag), std::string::npos) << flag;
  }
  for (const char* shown_default :
       {"[default: 2]", "[default: condure]", "[default: 100]", "[default: 10000]", "[default: 8192]",
        "[default: 100000]", "[default: 30]", "[default: 1800]", "[default: 0.0.0.0:8000,stream",
        "[default: ipc://client]", "[default: .]", "[default: left as created]"}) {
    EXPECT_NE(help.find(shown_default), std::string::npos) << shown_default;
  }
  EXPECT_NE(help.back(), '\n');
}

TEST(UsageErrors, UnknownOptions) {
  EXPECT_EQ(usage_error({"--bogus"}), "unknown option '--bogus' (see --help)");
  EXPECT_EQ(usage_error({"--bogus=1"}), "unknown option '--bogus' (see --help)");
  EXPECT_EQ(usage_error({"--work", "3"}), "unknown option '--work' (see --help)");  // no abbreviations
  EXPECT_EQ(usage_error({"-x"}), "unknown option '-x' (see --help)");
  EXPECT_EQ(usage_error({"-w", "3"}), "unknown option '-w' (see --help)");
}

TEST(UsageErrors, SwitchesTakeNoValue) {
  EXPECT_EQ(usage_error({"--compression=1"}), "option '--compression' takes no value");
  EXPECT_EQ(usage_error({"--zclient-connect=yes"}), "option '--zclient-connect' takes no value");
  EXPECT_EQ(usage_error({"--sizes="}), "option '--sizes' takes no value");
}

TEST(UsageErrors, MissingValue) {
  EXPECT_EQ(usage_error({"--workers"}), "option '--workers' needs a value");
  EXPECT_EQ(usage_error({"--workers", "--listen", "8000"}), "option '--workers' needs a value");
  EXPECT_EQ(usage_error({"--listen"}), "option '--listen' needs a value");
  EXPECT_EQ(usage_error({"--listen", "--workers", "2"}), "option '--listen' needs a value");
  // Anything longer than "-" that starts with '-' is an option, never a value.
  EXPECT_EQ(usage_error({"--workers", "-1"}), "option '--workers' needs a value");
  EXPECT_EQ(usage_error({"--id", "-x"}), "option '--id' needs a value");
}

TEST(UsageErrors, RepeatedSingleValueOptions) {
  EXPECT_EQ(usage_error({"--workers", "2", "--workers", "3"}), "option '--workers' given more than once");
  EXPECT_EQ(usage_error({"--id=a", "--id=a"}), "option '--id' given more than once");
  EXPECT_EQ(usage_error({"--compression", "--compression"}), "option '--compression' given more than once");
}

TEST(UsageErrors, StrayArguments) {
  EXPECT_EQ(usage_error({"extra"}), "unexpected argument 'extra'");
  EXPECT_EQ(usage_error({"--workers", "2", "3"}), "unexpected argument '3'");
  EXPECT_EQ(usage_error({"--", "extra"}), "unexpected argument 'extra'");
  EXPECT_EQ(usage_error({""}), "unexpected argument ''");
  EXPECT_EQ(parse({"--workers", "3", "--"}).action, Action::Run);  // a trailing "--" is harmless
}

TEST(ValueErrors, Numbers) {
  EXPECT_EQ(value_error({"--workers", "abc"}), "failed to parse workers: 'abc' is not a non-negative decimal integer");
  EXPECT_EQ(value_error({"--workers=-1"}), "failed to parse workers: '-1' is not a non-negative decimal integer");
  EXPECT_EQ(value_error({"--workers", " 2"}), "failed to parse workers: ' 2' is not a non-negative decimal integer");
  EXPECT_EQ(value_error({"--workers="}), "failed to parse workers: empty value");
  EXPECT_EQ(value_error({"--workers", "+"}), "failed to parse workers: '+' is not a number");
  EXPECT_EQ(value_error({"--workers", "4294967296"}), "failed to parse workers: '4294967296' is too large");
  EXPECT_EQ(value_error({"--log-level", "abc"}),
            "failed to parse log-level: 'abc' is not a non-negative decimal integer");
  EXPECT_EQ(value_error({"--log-level", "18446744073709551616"}),
            "failed to parse log-level: '18446744073709551616' is too large");
  EXPECT_EQ(value_error({"--req-maxconn", "1e3"}),
            "failed to parse req-maxconn: '1e3' is not a non-negative decimal integer");
  EXPECT_EQ(value_error({"--stream-maxconn", "x"}),
            "failed to parse stream-maxconn: 'x' is not a non-negative decimal integer");
  EXPECT_EQ(value_error({"--buffer-size", "8k"}),
            "failed to parse buffer-size: '8k' is not a non-negative decimal integer");
  EXPECT_EQ(value_error({"--body-buffer-size", "0x10"}),
            "failed to parse body-buffer-size: '0x10' is not a non-negative decimal integer");
  EXPECT_EQ(value_error({"--messages-max", "1.5"}),
            "failed to parse messages-max: '1.5' is not a non-negative decimal integer");
  EXPECT_EQ(value_error({"--req-timeout", "30s"}),
            "failed to parse req-timeout: '30s' is not a non-negative decimal integer");
  EXPECT_EQ(value_error({"--stream-timeout", ""}), "failed to parse stream-timeout: empty value");
}

TEST(ValueErrors, IpcFileMode) {
  EXPECT_EQ(value_error({"--ipc-file-mode", "abc"}), "failed to parse ipc-file-mode: 'abc' is not an octal number");
  EXPECT_EQ(value_error({"--ipc-file-mode", "0o777"}), "failed to parse ipc-file-mode: '0o777' is not an octal number");
  EXPECT_EQ(value_error({"--ipc-file-mode", "9"}), "failed to parse ipc-file-mode: '9' is not an octal number");
  EXPECT_EQ(value_error({"--ipc-file-mode", "10000"}),
            "failed to parse ipc-file-mode: '10000' is too large (at most 07777)");
}

TEST(ValueErrors, Id) {
  EXPECT_EQ(value_error({"--id", "a b"}), "failed to parse id: must be non-empty and contain no spaces");
  EXPECT_EQ(value_error({"--id", ""}), "failed to parse id: must be non-empty and contain no spaces");
  EXPECT_EQ(value_error({"--id="}), "failed to parse id: must be non-empty and contain no spaces");
}

TEST(ValueErrors, WorkersRange) {
  EXPECT_EQ(value_error({"--workers", "1025"}), "failed to parse workers: at most 1024 allowed");
  EXPECT_EQ(value_error({"--workers", "0"}), "failed to parse workers: at least 1 required");
}

TEST(ValueErrors, Maxconn) {
  EXPECT_EQ(value_error({"--req-maxconn", "1", "--workers", "2"}), "req-maxconn (1) must be >= workers (2)");
  EXPECT_EQ(value_error({"--stream-maxconn", "1", "--workers", "2"}), "stream-maxconn (1) must be >= workers (2)");
  const std::string too_large = "total maxconn is too large: req-maxconn + stream-maxconn must be at most 10000000";
  EXPECT_EQ(value_error({"--req-maxconn", "5000000", "--stream-maxconn", "5000001"}), too_large);
  // Condure 1.9.1's sum wraps here and it crashes later; zedge refuses.
  EXPECT_EQ(value_error({"--req-maxconn", "18446744073709551615"}), too_large);
  EXPECT_EQ(value_error({"--req-maxconn", "2", "--stream-maxconn", "18446744073709551615"}), too_large);
}

TEST(ValueErrors, Listen) {
  EXPECT_EQ(value_error({"--listen", "foo"}), "failed to parse listen: invalid port 'foo'");
  EXPECT_EQ(value_error({"--listen", "8000,bogus"}), "failed to parse listen: invalid param 'bogus'");
  EXPECT_EQ(value_error({"--listen", "127.0.0.1:8000", "--listen", "8001,tls", "--listen", "x"}),
            "failed to parse listen: invalid port 'x'");
}

TEST(ValueErrors, ZclientStreamBase) {
  EXPECT_EQ(value_error({"--zclient-stream", "foo"}),
            "invalid zclient-stream spec base 'foo': must start with ipc:// or tcp://");
  EXPECT_EQ(value_error({"--zclient-stream", "inproc://x"}),
            "invalid zclient-stream spec base 'inproc://x': must start with ipc:// or tcp://");
  const std::string needs_port = "': tcp needs HOST:PORT with PORT at most 65533 (PORT..PORT+2 are used)";
  EXPECT_EQ(value_error({"--zclient-stream", "tcp://127.0.0.1"}),
            "invalid zclient-stream spec base 'tcp://127.0.0.1" + needs_port);
  EXPECT_EQ(value_error({"--zclient-stream", "tcp://127.0.0.1:65534"}),
            "invalid zclient-stream spec base 'tcp://127.0.0.1:65534" + needs_port);
  EXPECT_EQ(value_error({"--zclient-stream", "tcp://127.0.0.1:*"}),
            "invalid zclient-stream spec base 'tcp://127.0.0.1:*" + needs_port);
}

TEST(ValueErrors, ZclientReqSpec) {
  EXPECT_EQ(value_error({"--listen", "8000,req", "--zclient-req", "foo"}),
            "invalid zclient-req spec 'foo': must start with ipc:// or tcp://");
  EXPECT_EQ(value_error({"--listen", "8000,req", "--zclient-req", "tcp://127.0.0.1"}),
            "invalid zclient-req spec 'tcp://127.0.0.1': tcp needs HOST:PORT");
  EXPECT_EQ(value_error({"--listen", "8000,req", "--zclient-req", "tcp://127.0.0.1:65536"}),
            "invalid zclient-req spec 'tcp://127.0.0.1:65536': tcp needs HOST:PORT");
}

TEST(ValueErrors, SpecsAreCheckedOnlyWhenTheirModeIsListening) {
  // Like Condure: a req-only server never opens stream sockets, and vice versa.
  EXPECT_EQ(parse({"--listen", "8000,req", "--zclient-stream", "foo"}).action, Action::Run);
  EXPECT_EQ(parse({"--listen", "8000", "--zclient-req", "foo"}).action, Action::Run);
}

TEST(ValueErrors, FirstErrorInCondureOrder) {
  // Numbers, then ipc-file-mode, then id, workers limit, total maxconn, listeners,
  // maxconn against workers, zclient specs.
  EXPECT_EQ(value_error({"--id", "a b", "--stream-timeout", "x"}),
            "failed to parse stream-timeout: 'x' is not a non-negative decimal integer");
  EXPECT_EQ(value_error({"--id", "a b", "--ipc-file-mode", "9"}),
            "failed to parse ipc-file-mode: '9' is not an octal number");
  EXPECT_EQ(value_error({"--listen", "foo", "--id", "a b"}),
            "failed to parse id: must be non-empty and contain no spaces");
  EXPECT_EQ(value_error({"--listen", "foo", "--req-maxconn", "1", "--workers", "2"}),
            "failed to parse listen: invalid port 'foo'");
  EXPECT_EQ(value_error({"--zclient-stream", "foo", "--req-maxconn", "1", "--workers", "2"}),
            "req-maxconn (1) must be >= workers (2)");
  EXPECT_EQ(value_error({"--workers", "abc", "--log-level", "x"}),
            "failed to parse log-level: 'x' is not a non-negative decimal integer");
}

}  // namespace
}  // namespace zedge::config
