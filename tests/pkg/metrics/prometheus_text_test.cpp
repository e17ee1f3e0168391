// render_prometheus(): exact exposition lines for a known snapshot, and the shape every
// line must have for Prometheus' text parser (the Python check parses it for real).
#include "metrics/prometheus_text.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "sample_snapshot.hpp"

namespace zedge::metrics {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

bool has_line(const std::string& text, const std::string& line) {
  for (const auto& l : lines_of(text)) {
    if (l == line) return true;
  }
  return false;
}

class PrometheusText : public ::testing::Test {
 protected:
  std::string text = render_prometheus(testing::sample_snapshot());
};

TEST_F(PrometheusText, CountersCarryTotalInTheirFamilyAndSampleNames) {
  EXPECT_TRUE(has_line(text, "# TYPE zedge_connections_accepted_total counter"));
  EXPECT_TRUE(has_line(text, "zedge_connections_accepted_total 3"));
  EXPECT_TRUE(has_line(text, "# TYPE zedge_requests_total counter"));
  EXPECT_TRUE(has_line(text, "zedge_requests_total{code_class=\"2xx\"} 1"));
  EXPECT_TRUE(has_line(text, "zedge_requests_total{code_class=\"4xx\"} 1"));
  EXPECT_TRUE(has_line(text, "zedge_requests_total{code_class=\"5xx\"} 1"));
  EXPECT_TRUE(has_line(text, "zedge_requests_total{code_class=\"1xx\"} 0"));
  EXPECT_TRUE(has_line(text, "zedge_requests_total{code_class=\"other\"} 0"));
  EXPECT_TRUE(has_line(text, "zedge_client_received_bytes_total 512"));
  EXPECT_TRUE(has_line(text, "zedge_client_sent_bytes_total 2048"));
  EXPECT_TRUE(has_line(text, "zedge_credit_stalls_total 1"));
}

TEST_F(PrometheusText, LabelledCountersListEveryCombination) {
  EXPECT_TRUE(has_line(text, "zedge_connections_closed_total{protocol=\"http\",reason=\"done\"} 1"));
  EXPECT_TRUE(has_line(text, "zedge_connections_closed_total{protocol=\"websocket\",reason=\"drained\"} 0"));
  EXPECT_TRUE(has_line(text, "zedge_websocket_messages_total{direction=\"from_client\"} 1"));
  EXPECT_TRUE(has_line(text, "zedge_websocket_messages_total{direction=\"to_client\"} 2"));
  EXPECT_TRUE(has_line(text, "zedge_zhttp_packets_total{direction=\"to_handler\",type=\"data\"} 1"));
  EXPECT_TRUE(has_line(text, "zedge_zhttp_packets_total{direction=\"to_handler\",type=\"keep-alive\"} 1"));
  EXPECT_TRUE(has_line(text, "zedge_zhttp_packets_total{direction=\"from_handler\",type=\"credit\"} 1"));
  EXPECT_TRUE(has_line(text, "zedge_zhttp_packets_total{direction=\"from_handler\",type=\"pong\"} 0"));

  std::size_t closed = 0;
  std::size_t packets = 0;
  for (const auto& l : lines_of(text)) {
    if (l.rfind("zedge_connections_closed_total{", 0) == 0) ++closed;
    if (l.rfind("zedge_zhttp_packets_total{", 0) == 0) ++packets;
  }
  EXPECT_EQ(closed, kProtocolCount * kCloseKindCount);
  EXPECT_EQ(packets, kDirectionCount * kPacketKindCount);
}

TEST_F(PrometheusText, Gauges) {
  EXPECT_TRUE(has_line(text, "# TYPE zedge_connections_active gauge"));
  EXPECT_TRUE(has_line(text, "zedge_connections_active{protocol=\"http\"} 1"));  // 3 opened - 1 upgraded - 1 closed
  EXPECT_TRUE(has_line(text, "zedge_connections_active{protocol=\"websocket\"} 1"));
  EXPECT_TRUE(has_line(text, "zedge_handlers_connected 2"));
  EXPECT_TRUE(has_line(text, "zedge_draining 1"));
  EXPECT_TRUE(has_line(text, "zedge_build_info{version=\"1.2.3\"} 1"));
}

TEST_F(PrometheusText, HistogramBucketsAreCumulativeWithSumAndCount) {
  EXPECT_TRUE(has_line(text, "# TYPE zedge_request_duration_seconds histogram"));
  EXPECT_TRUE(has_line(text, "zedge_request_duration_seconds_count 3"));
  EXPECT_TRUE(has_line(text, "zedge_request_duration_seconds_sum 1.523"));
  EXPECT_TRUE(has_line(text, "zedge_request_duration_seconds_bucket{le=\"0.005\"} 1"));
  EXPECT_TRUE(has_line(text, "zedge_request_duration_seconds_bucket{le=\"0.01\"} 1"));
  EXPECT_TRUE(has_line(text, "zedge_request_duration_seconds_bucket{le=\"0.025\"} 2"));
  EXPECT_TRUE(has_line(text, "zedge_request_duration_seconds_bucket{le=\"1\"} 2"));
  EXPECT_TRUE(has_line(text, "zedge_request_duration_seconds_bucket{le=\"2.5\"} 3"));
  EXPECT_TRUE(has_line(text, "zedge_request_duration_seconds_bucket{le=\"60\"} 3"));
  EXPECT_TRUE(has_line(text, "zedge_request_duration_seconds_bucket{le=\"+Inf\"} 3"));
}

// Every sample line is `name{labels} value` under a TYPE line of its family (a histogram's
// samples add _bucket, _sum, _count), HELP has no line break, and the text ends in "\n".
TEST_F(PrometheusText, EveryLineIsValidExposition) {
  static const std::regex kSample(
      R"re(^([a-z_]+)(\{[a-z_]+="[^"\\\n]*"(,[a-z_]+="[^"\\\n]*")*\})? (-?[0-9.e+]+|\+Inf)$)re");
  static const std::regex kType(R"(^# TYPE ([a-z_]+) (counter|gauge|histogram)$)");
  static const std::regex kHelp(R"(^# HELP ([a-z_]+) [^\\]+$)");
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');

  std::set<std::string> families;
  std::string family;
  std::string type;
  std::size_t samples = 0;
  for (const auto& l : lines_of(text)) {
    std::smatch m;
    if (std::regex_match(l, m, kHelp)) continue;
    if (std::regex_match(l, m, kType)) {
      family = m[1];
      type = m[2];
      EXPECT_TRUE(families.insert(family).second) << "family twice: " << family;
      EXPECT_EQ(type == "counter", family.ends_with("_total")) << family;
      EXPECT_TRUE(family.starts_with("zedge_")) << family;
      continue;
    }
    ASSERT_TRUE(std::regex_match(l, m, kSample)) << "bad line: " << l;
    const std::string name = m[1];
    ++samples;
    if (type == "histogram") {
      EXPECT_TRUE(name == family + "_bucket" || name == family + "_sum" || name == family + "_count") << l;
    } else {
      EXPECT_EQ(name, family) << l;
    }
  }
  EXPECT_EQ(families.size(), 15U);
  // 2 active + 1 + 28 closed (2 protocols x 14 reasons) + 6 requests + 16 histogram + 2 bytes + 2 ws + 20 zhttp + 1 + 1
  // + 1
  // + 1 discovered + 2 lookups + 1 build info
  EXPECT_EQ(samples, 84U);
}

TEST(PrometheusTextEmpty, ZeroSnapshotRendersZeros) {
  const std::string text = render_prometheus(MetricsSnapshot{});
  EXPECT_TRUE(has_line(text, "zedge_connections_accepted_total 0"));
  EXPECT_TRUE(has_line(text, "zedge_request_duration_seconds_sum 0"));
  EXPECT_TRUE(has_line(text, "zedge_draining 0"));
  EXPECT_TRUE(has_line(text, "zedge_build_info{version=\"\"} 1"));
}

}  // namespace
}  // namespace zedge::metrics
