// Prints render_prometheus() of the sample snapshot, for parse_metrics_text.py.
#include <iostream>

#include "metrics/prometheus_text.hpp"
#include "sample_snapshot.hpp"

int main() {
  std::cout << zedge::metrics::render_prometheus(zedge::metrics::testing::sample_snapshot());
  return 0;
}
