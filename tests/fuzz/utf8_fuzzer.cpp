// UTF-8 validation (pkg/utf8 Utf8Validator, RFC 3629 §3/§4) against a plain reference that
// decodes each code point and checks its range. The validator is fed in pieces cut at
// fuzzer-chosen points (a character may straddle them), and is_valid() must agree too.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_input.hpp"
#include "utf8/utf8_validator.hpp"

namespace {

// Length of the longest valid prefix of `s`, and whether all of `s` is valid; a valid prefix
// ends on a character boundary. `truncated`: the invalid part is only an unfinished character.
struct Reference {
  bool valid = true;
  bool truncated = false;  // s ends inside a character whose bytes so far are fine
  std::size_t valid_prefix = 0;
};

Reference reference(std::string_view s) {
  Reference r;
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b0 = static_cast<std::uint8_t>(s[i]);
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (b0 < 0x80) {
      n = 1;
      cp = b0;
    } else if ((b0 & 0xE0) == 0xC0) {
      n = 2;
      cp = b0 & 0x1FU;
    } else if ((b0 & 0xF0) == 0xE0) {
      n = 3;
      cp = b0 & 0x0FU;
    } else if ((b0 & 0xF8) == 0xF0) {
      n = 4;
      cp = b0 & 0x07U;
    } else {
      r.valid = false;
      return r;
    }
    std::size_t k = 1;
    for (; k < n && i + k < s.size(); ++k) {
      const auto b = static_cast<std::uint8_t>(s[i + k]);
      if ((b & 0xC0) != 0x80) {
        r.valid = false;
        return r;
      }
      cp = (cp << 6) | (b & 0x3FU);
    }
    if (k < n) {
      // Cut short: fine so far only if every completion could still be valid, i.e. the
      // bytes seen rule out no overlong, surrogate or > U+10FFFF form yet. Decide by trying
      // the smallest and largest completions.
      std::uint32_t low = cp;
      std::uint32_t high = cp;
      for (std::size_t j = k; j < n; ++j) {
        low = low << 6;
        high = (high << 6) | 0x3FU;
      }
      const std::uint32_t min_cp = n == 2 ? 0x80 : n == 3 ? 0x800 : 0x10000;
      // Some completion is in range and not a surrogate.
      const std::uint32_t from = std::max(low, min_cp);
      const std::uint32_t to = std::min<std::uint32_t>(high, 0x10FFFF);
      const bool possible = from <= to && !(from >= 0xD800 && to <= 0xDFFF);
      r.valid = false;
      r.truncated = possible;
      return r;
    }
    const std::uint32_t min_cp = n == 1 ? 0 : n == 2 ? 0x80 : n == 3 ? 0x800 : 0x10000;
    if (cp < min_cp || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      r.valid = false;
      return r;
    }
    i += n;
    r.valid_prefix = i;
  }
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  zedge::fuzz::FuzzInput in(data, size);
  const std::size_t cut1 = in.byte();
  const std::size_t cut2 = cut1 + in.byte();
  const std::string_view text = in.rest();
  const Reference ref = reference(text);

  FUZZ_CHECK(zedge::utf8::is_valid(text) == ref.valid);

  zedge::utf8::Utf8Validator v;
  const std::size_t ends[3] = {std::min(cut1, text.size()), std::min(cut2, text.size()), text.size()};
  std::size_t at = 0;
  bool fed_ok = true;
  for (const std::size_t end : ends) {
    fed_ok = v.feed(text.substr(at, end - at)) && fed_ok;
    at = end;
  }
  FUZZ_CHECK(v.finish() == ref.valid);
  // An unfinished last character is not a failure until finish(); anything else invalid is.
  FUZZ_CHECK(v.ok() == (ref.valid || ref.truncated));
  FUZZ_CHECK(fed_ok == v.ok());
  return 0;
}
