// --listen values, checked against Condure 1.9.1's behaviour.
#include <gtest/gtest.h>

#include <string>

#include "config/config.hpp"

namespace zedge::config {
namespace {

ListenSpec parsed(const std::string& value) {
  ListenSpec spec;
  const auto error = parse_listen(value, spec);
  EXPECT_FALSE(error.has_value()) << value << ": " << error.value_or("");
  return spec;
}

std::string error_for(const std::string& value) {
  ListenSpec spec;
  return parse_listen(value, spec).value_or("(accepted)");
}

TEST(ParseListen, BarePortMeansAllIpv4Interfaces) {
  const ListenSpec spec = parsed("8000");
  EXPECT_EQ(spec.address, "0.0.0.0");
  EXPECT_EQ(spec.port, 8000);
  EXPECT_FALSE(spec.ipv6);
  EXPECT_FALSE(spec.local);
  EXPECT_EQ(spec.mode, ListenMode::Stream);
  EXPECT_FALSE(spec.tls);
}

TEST(ParseListen, Ipv4AddressAndPort) {
  const ListenSpec spec = parsed("127.0.0.1:7999");
  EXPECT_EQ(spec.address, "127.0.0.1");
  EXPECT_EQ(spec.port, 7999);
  EXPECT_FALSE(spec.ipv6);
}

TEST(ParseListen, BracketedIpv6) {
  const ListenSpec spec = parsed("[::1]:7998,stream");
  EXPECT_EQ(spec.address, "::1");
  EXPECT_EQ(spec.port, 7998);
  EXPECT_TRUE(spec.ipv6);
  EXPECT_EQ(parsed("[::ffff:127.0.0.1]:80").address, "::ffff:127.0.0.1");
  EXPECT_EQ(parsed("[::]:80").address, "::");
}

TEST(ParseListen, Ipv6NumericScopeIsKeptInTheAddress) {
  const ListenSpec spec = parsed("[fe80::1%2]:80");
  EXPECT_EQ(spec.address, "fe80::1%2");
  EXPECT_TRUE(spec.ipv6);
}

TEST(ParseListen, PortBoundsAndLeadingZeros) {
  EXPECT_EQ(parsed("127.0.0.1:0").port, 0);  // condure binds an ephemeral port
  EXPECT_EQ(parsed("65535").port, 65535);
  EXPECT_EQ(parsed("127.0.0.1:018001").port, 18001);
}

TEST(ParseListen, ModeParams) {
  EXPECT_EQ(parsed("8000,req").mode, ListenMode::Req);
  EXPECT_EQ(parsed("8000,stream").mode, ListenMode::Stream);
  EXPECT_EQ(parsed("8000,req,stream").mode, ListenMode::Stream);  // the last one wins
  EXPECT_EQ(parsed("8000,stream,req").mode, ListenMode::Req);
}

TEST(ParseListen, TlsAndDefaultCert) {
  const ListenSpec spec = parsed("127.0.0.1:8443,stream,tls,default-cert=default_8443");
  EXPECT_EQ(spec.address, "127.0.0.1");
  EXPECT_EQ(spec.port, 8443);
  EXPECT_TRUE(spec.tls);
  EXPECT_EQ(spec.default_cert, "default_8443");
  EXPECT_EQ(parsed("8443,tls,default-cert").default_cert, "");
}

TEST(ParseListen, ValuesOnFlagParamsAreIgnoredLikeCondure) {
  const ListenSpec spec = parsed("8000,stream=1,tls=no");
  EXPECT_EQ(spec.mode, ListenMode::Stream);
  EXPECT_TRUE(spec.tls);
  EXPECT_EQ(parsed("8000,req=yes").mode, ListenMode::Req);
}

TEST(ParseListen, LocalSocket) {
  const ListenSpec spec = parsed("/run/zedge/http.sock,local");
  EXPECT_TRUE(spec.local);
  EXPECT_EQ(spec.path, "/run/zedge/http.sock");
  EXPECT_EQ(spec.address, "");
  EXPECT_EQ(spec.port, 0);
  EXPECT_EQ(spec.mode, ListenMode::Stream);
  EXPECT_FALSE(spec.local_mode.has_value());
  // The path is never read as [addr:]port, even when it looks like one.
  EXPECT_EQ(parsed("sock:abc,req,local").path, "sock:abc");
  EXPECT_EQ(parsed("sock:abc,req,local").mode, ListenMode::Req);
}

TEST(ParseListen, LocalSocketOwnershipParams) {
  const ListenSpec spec = parsed("/tmp/s,local,mode=660,user=www-data,group=pushpin");
  ASSERT_TRUE(spec.local_mode.has_value());
  EXPECT_EQ(*spec.local_mode, 0660U);
  EXPECT_EQ(spec.local_user, "www-data");
  EXPECT_EQ(spec.local_group, "pushpin");
  EXPECT_EQ(*parsed("/tmp/s,local,mode=0777").local_mode, 0777U);
}

TEST(ParseListen, ParamsThatDoNotApplyAreDropped) {
  const ListenSpec local = parsed("/tmp/s,local,tls,default-cert=x");
  EXPECT_FALSE(local.tls);
  EXPECT_EQ(local.default_cert, "");
  const ListenSpec tcp = parsed("8000,mode=600,user=a,group=b");
  EXPECT_FALSE(tcp.local_mode.has_value());
  EXPECT_EQ(tcp.local_user, "");
  EXPECT_EQ(tcp.local_group, "");
}

TEST(ParseListen, BadPort) {
  EXPECT_EQ(error_for("foo"), "failed to parse listen: invalid port 'foo'");
  EXPECT_EQ(error_for(""), "failed to parse listen: invalid port ''");
  EXPECT_EQ(error_for("127.0.0.1:"), "failed to parse listen: invalid port ''");
  EXPECT_EQ(error_for("65536"), "failed to parse listen: invalid port '65536'");
  EXPECT_EQ(error_for("0.0.0.0:99999"), "failed to parse listen: invalid port '99999'");
  EXPECT_EQ(error_for("+8000"), "failed to parse listen: invalid port '+8000'");
  EXPECT_EQ(error_for("-1"), "failed to parse listen: invalid port '-1'");
  EXPECT_EQ(error_for("[::1]"), "failed to parse listen: invalid port '1]'");
  EXPECT_EQ(error_for("[::1]8000"), "failed to parse listen: invalid port '1]8000'");
}

TEST(ParseListen, BadAddress) {
  const std::string want = " (want an IPv4 address or a bracketed IPv6 address such as [::1])";
  EXPECT_EQ(error_for("::1:8000"), "failed to parse listen: invalid address '::1'" + want);
  EXPECT_EQ(error_for("localhost:8000"), "failed to parse listen: invalid address 'localhost'" + want);
  EXPECT_EQ(error_for(":8000"), "failed to parse listen: invalid address ''" + want);
  EXPECT_EQ(error_for("[127.0.0.1]:80"), "failed to parse listen: invalid address '[127.0.0.1]'" + want);
  EXPECT_EQ(error_for("127.000.0.1:80"), "failed to parse listen: invalid address '127.000.0.1'" + want);
  EXPECT_EQ(error_for("127.1:80"), "failed to parse listen: invalid address '127.1'" + want);
  EXPECT_EQ(error_for("[::1%lo]:80"), "failed to parse listen: invalid address '[::1%lo]'" + want);
  EXPECT_EQ(error_for("[::1%]:80"), "failed to parse listen: invalid address '[::1%]'" + want);
  EXPECT_EQ(error_for("[::1%4294967296]:80"), "failed to parse listen: invalid address '[::1%4294967296]'" + want);
  EXPECT_EQ(error_for("[]:80"), "failed to parse listen: invalid address '[]'" + want);
}

TEST(ParseListen, BadParams) {
  EXPECT_EQ(error_for("8000,bogus"), "failed to parse listen: invalid param 'bogus'");
  EXPECT_EQ(error_for("127.0.0.1:8000,stream,bogus=1"), "failed to parse listen: invalid param 'bogus=1'");
  EXPECT_EQ(error_for("8000,"), "failed to parse listen: invalid param ''");
  EXPECT_EQ(error_for("8000,Stream"), "failed to parse listen: invalid param 'Stream'");
  EXPECT_EQ(error_for("/s,local,mode=8"), "failed to parse listen: invalid mode: '8' is not an octal number");
  EXPECT_EQ(error_for("/s,local,mode="), "failed to parse listen: invalid mode: empty value");
  EXPECT_EQ(error_for("/s,local,mode=10000"),
            "failed to parse listen: invalid mode: '10000' is too large (at most 07777)");
  EXPECT_EQ(error_for("/s,local,user="), "failed to parse listen: user= needs a name");
  EXPECT_EQ(error_for("/s,local,group"), "failed to parse listen: group= needs a name");
  EXPECT_EQ(error_for(",local"), "failed to parse listen: empty unix socket path");
}

TEST(ParseListen, ParamsAreCheckedBeforeTheEndpoint) {
  // Condure reads the params first, so a bad param wins over a bad port.
  EXPECT_EQ(error_for("foo,bogus"), "failed to parse listen: invalid param 'bogus'");
}

TEST(ParseListen, FailureLeavesOutputUntouched) {
  ListenSpec spec = parsed("127.0.0.1:7999");
  EXPECT_TRUE(parse_listen("127.0.0.1:1,bogus", spec).has_value());
  EXPECT_EQ(spec.port, 7999);
}

TEST(ListenSpecToString, WritesCanonicalCommandLineForm) {
  EXPECT_EQ(parsed("8000").to_string(), "0.0.0.0:8000,stream");
  EXPECT_EQ(parsed("[::1]:7998").to_string(), "[::1]:7998,stream");
  EXPECT_EQ(parsed("127.0.0.1:8001,req").to_string(), "127.0.0.1:8001,req");
  EXPECT_EQ(parsed("127.0.0.1:8443,tls,default-cert=default_8443,stream").to_string(),
            "127.0.0.1:8443,stream,tls,default-cert=default_8443");
  EXPECT_EQ(parsed("/tmp/s,group=g,user=u,mode=0600,local,req").to_string(),
            "/tmp/s,req,local,mode=600,user=u,group=g");
}

TEST(ListenSpecToString, RoundTrips) {
  for (const std::string value :
       {"0.0.0.0:7999,stream", "[::1]:7998,stream", "127.0.0.1:8443,stream,tls,default-cert=d",
        "[fe80::1%2]:80,req,tls", "/var/run/x.sock,stream,local,mode=660,user=a,group=b", "10.0.0.1:0,req"}) {
    EXPECT_EQ(parsed(value).to_string(), value);
  }
}

}  // namespace
}  // namespace zedge::config

TEST(ListenSpec, InheritedDescriptorsAndSystemdNames) {
  zedge::config::ListenSpec spec;
  ASSERT_EQ(zedge::config::parse_listen("fd:3", spec), std::nullopt);
  EXPECT_EQ(spec.inherited_fd, 3);
  EXPECT_TRUE(spec.inherited());
  EXPECT_EQ(spec.to_string(), "fd:3,stream");
  ASSERT_EQ(zedge::config::parse_listen("fd:7,req,tls,default-cert=x", spec), std::nullopt);
  EXPECT_EQ(spec.inherited_fd, 7);
  EXPECT_EQ(spec.mode, zedge::config::ListenMode::Req);
  EXPECT_TRUE(spec.tls);
  EXPECT_EQ(spec.to_string(), "fd:7,req,tls,default-cert=x");
  ASSERT_EQ(zedge::config::parse_listen("systemd:web", spec), std::nullopt);
  EXPECT_EQ(spec.systemd_name, "web");
  EXPECT_FALSE(spec.inherited_fd.has_value());
  EXPECT_EQ(spec.to_string(), "systemd:web,stream");
  for (const char* bad : {"fd:", "fd:x", "fd:-1", "fd:99999999999", "systemd:", "fd:3,local"}) {
    EXPECT_NE(zedge::config::parse_listen(bad, spec), std::nullopt) << bad;
  }
}
