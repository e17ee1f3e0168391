// Test support for the fuzz targets: takes control bytes (split points, options) off the
// front of a fuzzer input, so one input says both what to parse and how to cut it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace zedge::fuzz {

class FuzzInput {
 public:
  FuzzInput(const std::uint8_t* data, std::size_t size) : rest_(reinterpret_cast<const char*>(data), size) {}

  // The next byte, or 0 once the input is used up.
  std::uint8_t byte() {
    if (rest_.empty()) return 0;
    const auto b = static_cast<std::uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return b;
  }
  // Two bytes, little-endian.
  std::uint16_t u16() {
    const std::uint16_t low = byte();
    return static_cast<std::uint16_t>(low | (byte() << 8));
  }
  // Up to `n` bytes.
  std::string_view take(std::size_t n) {
    const std::string_view piece = rest_.substr(0, n);
    rest_.remove_prefix(piece.size());
    return piece;
  }
  // Everything left.
  std::string_view rest() const { return rest_; }
  bool empty() const { return rest_.empty(); }

 private:
  std::string_view rest_;
};

// A failed check in a fuzz target: prints and aborts, so libFuzzer saves the input.
[[noreturn]] void fail(const char* what, const char* file, int line);

}  // namespace zedge::fuzz

#define FUZZ_CHECK(cond) ((cond) ? static_cast<void>(0) : ::zedge::fuzz::fail(#cond, __FILE__, __LINE__))
