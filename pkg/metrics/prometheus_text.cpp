#include "metrics/prometheus_text.hpp"

#include <prometheus/client_metric.h>
#include <prometheus/metric_family.h>
#include <prometheus/metric_type.h>
#include <prometheus/text_serializer.h>

#include <limits>
#include <utility>
#include <vector>

namespace zedge::metrics {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;
using Labels = std::vector<ClientMetric::Label>;

// prometheus-cpp 1.0.1 writes HELP text unescaped, so help strings here must hold no
// backslash or newline. It appends no `_total`: counter names carry it (the family name
// and the sample name are then the same, as Prometheus' own clients write them).
MetricFamily family(std::string name, std::string help, MetricType type) {
  return MetricFamily{std::move(name), std::move(help), type, {}};
}

double value(std::uint64_t n) { return static_cast<double>(n); }

void add_counter(MetricFamily& f, Labels labels, std::uint64_t n) {
  ClientMetric m;
  m.label = std::move(labels);
  m.counter.value = value(n);
  f.metric.push_back(std::move(m));
}

void add_gauge(MetricFamily& f, Labels labels, std::uint64_t n) {
  ClientMetric m;
  m.label = std::move(labels);
  m.gauge.value = value(n);
  f.metric.push_back(std::move(m));
}

ClientMetric::Label label(std::string name, std::string_view value_text) {
  return ClientMetric::Label{std::move(name), std::string(value_text)};
}

MetricFamily connections_active(const MetricsSnapshot& s) {
  auto f = family("zedge_connections_active", "Client connections open now.", MetricType::Gauge);
  for (auto p : {Protocol::Http, Protocol::WebSocket}) {
    add_gauge(f, {label("protocol", protocol_name(p))}, s.connections_active(p));
  }
  return f;
}

MetricFamily connections_closed(const MetricsSnapshot& s) {
  auto f = family("zedge_connections_closed_total", "Client connections closed, by protocol and reason.",
                  MetricType::Counter);
  for (auto p : {Protocol::Http, Protocol::WebSocket}) {
    for (std::size_t k = 0; k < kCloseKindCount; ++k) {
      const auto why = static_cast<CloseKind>(k);
      add_counter(f, {label("protocol", protocol_name(p)), label("reason", close_kind_name(why))},
                  s.connections_closed[static_cast<std::size_t>(p)][k]);
    }
  }
  return f;
}

MetricFamily requests(const MetricsSnapshot& s) {
  auto f = family("zedge_requests_total", "HTTP responses finished, by status class.", MetricType::Counter);
  for (std::size_t c = 0; c < kStatusClassCount; ++c) {
    add_counter(f, {label("code_class", status_class_name(c))}, s.requests[c]);
  }
  return f;
}

MetricFamily request_duration(const MetricsSnapshot& s) {
  auto f = family("zedge_request_duration_seconds",
                  "Time from a request's head to the end of its response, in seconds.", MetricType::Histogram);
  ClientMetric m;
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < kDurationBucketCount; ++i) {
    cumulative += s.duration_buckets[i];
    const double bound = i < kDurationBucketBoundsUs.size() ? value(kDurationBucketBoundsUs[i]) / 1e6
                                                            : std::numeric_limits<double>::infinity();
    m.histogram.bucket.push_back(ClientMetric::Bucket{cumulative, bound});
  }
  m.histogram.sample_count = cumulative;
  m.histogram.sample_sum = value(s.duration_sum_us) / 1e6;
  f.metric.push_back(std::move(m));
  return f;
}

MetricFamily websocket_messages(const MetricsSnapshot& s) {
  auto f = family("zedge_websocket_messages_total", "WebSocket messages, by direction seen from the client.",
                  MetricType::Counter);
  for (auto d : {MessageDirection::FromClient, MessageDirection::ToClient}) {
    add_counter(f, {label("direction", direction_name(d))}, s.websocket_messages[static_cast<std::size_t>(d)]);
  }
  return f;
}

MetricFamily zhttp_packets(const MetricsSnapshot& s) {
  auto f = family("zedge_zhttp_packets_total", "ZHTTP packets, by direction seen from the handler and type.",
                  MetricType::Counter);
  for (auto d : {PacketDirection::ToHandler, PacketDirection::FromHandler}) {
    for (std::size_t k = 0; k < kPacketKindCount; ++k) {
      const auto kind = static_cast<PacketKind>(k);
      add_counter(f, {label("direction", direction_name(d)), label("type", packet_kind_name(kind))},
                  s.zhttp_packets[static_cast<std::size_t>(d)][k]);
    }
  }
  return f;
}

MetricFamily single(std::string name, std::string help, MetricType type, std::uint64_t n, Labels labels = {}) {
  auto f = family(std::move(name), std::move(help), type);
  if (type == MetricType::Counter) {
    add_counter(f, std::move(labels), n);
  } else {
    add_gauge(f, std::move(labels), n);
  }
  return f;
}

}  // namespace

std::string render_prometheus(const MetricsSnapshot& s) {
  std::vector<MetricFamily> families;
  families.push_back(connections_active(s));
  families.push_back(single("zedge_connections_accepted_total", "Client connections accepted by the listeners.",
                            MetricType::Counter, s.connections_accepted));
  families.push_back(connections_closed(s));
  families.push_back(requests(s));
  families.push_back(request_duration(s));
  families.push_back(single("zedge_client_received_bytes_total", "Bytes read from clients.", MetricType::Counter,
                            s.client_received_bytes));
  families.push_back(
      single("zedge_client_sent_bytes_total", "Bytes written to clients.", MetricType::Counter, s.client_sent_bytes));
  families.push_back(websocket_messages(s));
  families.push_back(zhttp_packets(s));
  families.push_back(single("zedge_credit_stalls_total", "Times output waited for flow-control credits.",
                            MetricType::Counter, s.credit_stalls));
  families.push_back(single("zedge_handlers_connected", "Handlers connected to the ZHTTP sockets now.",
                            MetricType::Gauge, s.handlers_connected));
  families.push_back(
      single("zedge_draining", "1 while a graceful drain runs, else 0.", MetricType::Gauge, s.draining ? 1 : 0));
  families.push_back(single("zedge_discovered_handlers",
                            "Handler addresses found by DNS discovery and taking requests.", MetricType::Gauge,
                            s.discovered_handlers));
  auto lookups = family("zedge_discovery_lookups_total", "DNS lookups of discovered handler names, by result.",
                        MetricType::Counter);
  add_counter(lookups, {label("result", "ok")}, s.discovery_lookups_ok);
  add_counter(lookups, {label("result", "failed")}, s.discovery_lookups_failed);
  families.push_back(std::move(lookups));
  families.push_back(single("zedge_build_info", "Build information; the value is always 1.", MetricType::Gauge, 1,
                            {label("version", s.version)}));
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace zedge::metrics
