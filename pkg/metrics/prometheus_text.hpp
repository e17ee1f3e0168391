// A MetricsSnapshot in Prometheus' text exposition format 0.0.4, through prometheus-cpp's
// core TextSerializer (no Registry, no civetweb Exposer; our admin listener
// serves it).
#pragma once

#include <string>
#include <string_view>

#include "metrics/metrics_snapshot.hpp"

namespace zedge::metrics {

// The Content-Type of render_prometheus()'s output.
inline constexpr std::string_view kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

// Every family always lists every label combination (zeros included), so rate() works from
// the first scrape and the series count never changes.
std::string render_prometheus(const MetricsSnapshot& snapshot);

}  // namespace zedge::metrics
