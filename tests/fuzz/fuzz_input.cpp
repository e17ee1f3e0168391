#include "fuzz_input.hpp"

#include <cstdio>
#include <cstdlib>

namespace zedge::fuzz {

void fail(const char* what, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: fuzz check failed: %s\n", file, line, what);
  std::abort();
}

}  // namespace zedge::fuzz
