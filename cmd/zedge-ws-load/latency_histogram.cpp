#include "latency_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace zedge::wsload {

// ns < kLinearLimitNs: its own bucket. Else, with e = floor(log2 ns) >= kSubBucketBits + 1,
// the top kSubBucketBits bits under the leading one pick one of kSubBuckets per power.
std::size_t LatencyHistogram::index_of(std::uint64_t ns) {
  if (ns < kLinearLimitNs) return static_cast<std::size_t>(ns);
  const auto exponent = static_cast<unsigned>(std::bit_width(ns) - 1);
  const std::uint64_t sub = (ns >> (exponent - kSubBucketBits)) & (kSubBuckets - 1);
  return static_cast<std::size_t>(kLinearLimitNs + (exponent - kSubBucketBits - 1) * kSubBuckets + sub);
}

std::uint64_t LatencyHistogram::middle_of(std::size_t index) {
  if (index < kLinearLimitNs) return index;
  const std::size_t above = index - kLinearLimitNs;
  const auto exponent = static_cast<unsigned>(above / kSubBuckets + kSubBucketBits + 1);
  const std::uint64_t sub = above % kSubBuckets;
  const unsigned width_bits = exponent - kSubBucketBits;
  const std::uint64_t low = (std::uint64_t{1} << exponent) + (sub << width_bits);
  return low + (std::uint64_t{1} << width_bits) / 2;
}

void LatencyHistogram::record(std::uint64_t nanoseconds) {
  ++buckets_[index_of(nanoseconds)];
  ++count_;
  max_ns_ = std::max(max_ns_, nanoseconds);
  sum_ns_ += static_cast<long double>(nanoseconds);
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (std::size_t i = 0; i < kBuckets; ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  max_ns_ = std::max(max_ns_, other.max_ns_);
  sum_ns_ += other.sum_ns_;
}

double LatencyHistogram::mean_ns() const {
  return count_ == 0 ? 0.0 : static_cast<double>(sum_ns_ / static_cast<long double>(count_));
}

std::uint64_t LatencyHistogram::percentile_ns(double percent) const {
  if (count_ == 0) return 0;
  const auto rank =
      std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(percent / 100.0 * static_cast<double>(count_))));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    seen += buckets_[i];
    if (seen >= rank) return std::min(middle_of(i), max_ns_);
  }
  return max_ns_;
}

}  // namespace zedge::wsload
