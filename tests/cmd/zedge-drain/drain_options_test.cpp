#include "drain_options.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace zedge::drain {
namespace {

std::optional<std::string> parse(std::vector<std::string> args, DrainOptions& out) {
  args.insert(args.begin(), "zedge-drain");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  return parse_options(static_cast<int>(argv.size()), argv.data(), out);
}

TEST(DrainOptions, DefaultsAskLoopbackAt9090WithZedgesDeadline) {
  DrainOptions o;
  EXPECT_EQ(parse({}, o), std::nullopt);
  EXPECT_EQ(to_string(o.admin), "127.0.0.1:9090");
  EXPECT_EQ(o.delay_seconds, 0);
  EXPECT_FALSE(o.timeout_seconds);
  EXPECT_TRUE(o.token_file.empty());
  EXPECT_TRUE(o.install_dir.empty());
}

TEST(DrainOptions, TheChartsHookLine) {
  DrainOptions o;
  EXPECT_EQ(parse({"--admin=127.0.0.1:9091", "--delay=5", "--timeout=25"}, o), std::nullopt);
  EXPECT_EQ(o.admin.port, 9091);
  EXPECT_EQ(o.delay_seconds, 5);
  ASSERT_TRUE(o.timeout_seconds);
  EXPECT_EQ(*o.timeout_seconds, 25);
}

TEST(DrainOptions, ValuesAsSeparateArguments) {
  DrainOptions o;
  EXPECT_EQ(parse({"--delay", "0.5", "--timeout", "3", "--token-file", "/t", "--admin", "9000"}, o), std::nullopt);
  EXPECT_EQ(o.delay_seconds, 0.5);
  EXPECT_EQ(*o.timeout_seconds, 3);
  EXPECT_EQ(o.token_file, "/t");
  EXPECT_EQ(to_string(o.admin), "127.0.0.1:9000");
}

TEST(DrainOptions, InstallHelpVersion) {
  DrainOptions o;
  EXPECT_EQ(parse({"--install-to=/zedge-hooks"}, o), std::nullopt);
  EXPECT_EQ(o.install_dir, "/zedge-hooks");
  EXPECT_EQ(parse({"--help", "--version"}, o), std::nullopt);
  EXPECT_TRUE(o.help);
  EXPECT_TRUE(o.version);
}

TEST(DrainOptions, Errors) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"--delay"},
           {"--delay=-1"},
           {"--delay=5s"},
           {"--delay="},
           {"--timeout=86401"},
           {"--timeout=nan"},
           {"--timeout=inf"},
           {"--timeout=1e3"},
           {"--admin=localhost:9090"},
           {"--admin=127.0.0.1"},
           {"--admin=127.0.0.1:0"},
           {"--admin=127.0.0.1:65536"},
           {"--admin=::1:9090"},
           {"--token-file="},
           {"--install-to="},
           {"--wait=3"},
           {"-x"},
       }) {
    DrainOptions o;
    EXPECT_NE(parse(args, o), std::nullopt) << args.front();
  }
}

TEST(AdminEndpoint, NumericAddressesOnly) {
  AdminEndpoint e;
  ASSERT_TRUE(parse_admin_endpoint("[::1]:9090", e));
  EXPECT_TRUE(e.ipv6);
  EXPECT_EQ(e.host, "::1");
  EXPECT_EQ(to_string(e), "[::1]:9090");
  ASSERT_TRUE(parse_admin_endpoint("10.0.0.7:1", e));
  EXPECT_FALSE(e.ipv6);
  EXPECT_EQ(to_string(e), "10.0.0.7:1");
  EXPECT_FALSE(parse_admin_endpoint("[::1]9090", e));
  EXPECT_FALSE(parse_admin_endpoint("[zedge]:9090", e));
  EXPECT_FALSE(parse_admin_endpoint("1.2.3:80", e));
  EXPECT_FALSE(parse_admin_endpoint("", e));
}

TEST(Seconds, Range) {
  EXPECT_EQ(parse_seconds("0"), 0);
  EXPECT_EQ(parse_seconds("86400"), 86400);
  EXPECT_EQ(parse_seconds("2.25"), 2.25);
  EXPECT_EQ(parse_seconds(" 1"), std::nullopt);
  EXPECT_EQ(parse_seconds("1 "), std::nullopt);
}

TEST(Usage, NamesEveryOption) {
  const std::string text = usage_text();
  for (const char* flag :
       {"--admin=", "--delay=", "--timeout=", "--token-file=", "--install-to=", "--help", "--version", "Exit status"}) {
    EXPECT_NE(text.find(flag), std::string::npos) << flag;
  }
}

}  // namespace
}  // namespace zedge::drain
