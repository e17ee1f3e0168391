// Log-linear latency histogram (the HdrHistogram idea, fixed size): values under
// kLinearLimitNs are exact, above that each power of two is split into kSubBuckets, so a
// percentile is within ~3 % of the truth whatever the run length. Recording costs a few
// instructions and never allocates.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace zedge::wsload {

class LatencyHistogram {
 public:
  void record(std::uint64_t nanoseconds);
  void merge(const LatencyHistogram& other);

  std::uint64_t count() const { return count_; }
  std::uint64_t max_ns() const { return max_ns_; }
  double mean_ns() const;
  // The value at `percent` (0-100], from the middle of its bucket; 0 when empty.
  std::uint64_t percentile_ns(double percent) const;

 private:
  static constexpr unsigned kSubBucketBits = 5;
  static constexpr std::uint64_t kSubBuckets = std::uint64_t{1} << kSubBucketBits;
  static constexpr std::uint64_t kLinearLimitNs = 2 * kSubBuckets;
  // Powers of two from 2^(kSubBucketBits + 1) to 2^63.
  static constexpr std::size_t kBuckets = kLinearLimitNs + (64 - kSubBucketBits - 1) * kSubBuckets;

  static std::size_t index_of(std::uint64_t ns);
  static std::uint64_t middle_of(std::size_t index);

  std::array<std::uint64_t, kBuckets> buckets_{};
  std::uint64_t count_ = 0;
  std::uint64_t max_ns_ = 0;
  long double sum_ns_ = 0;
};

}  // namespace zedge::wsload
