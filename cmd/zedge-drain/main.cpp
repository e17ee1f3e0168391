// zedge-drain: drains the zedge of this pod through its admin API, for a preStop hook of
// any container; or, with --install-to, copies itself where such a container finds it.
// Linked statically: it runs in any image (distroless, musl-based, no shell).
#include <cstdio>

#include "drain_hook.hpp"
#include "drain_options.hpp"
#include "self_install.hpp"

int main(int argc, char** argv) {
  using namespace zedge::drain;
  constexpr int kExitUsage = 2;
  constexpr int kExitFailure = 1;

  DrainOptions options;
  if (auto error = parse_options(argc, argv, options)) {
    std::fprintf(stderr, "zedge-drain: %s (--help lists the options)\n", error->c_str());
    return kExitUsage;
  }
  if (options.help) {
    std::fputs(usage_text().c_str(), stdout);
    return 0;
  }
  if (options.version) {
    std::printf("zedge-drain %s\n", ZEDGE_VERSION);
    return 0;
  }
  if (!options.install_dir.empty()) {
    if (auto error = install_self(options.install_dir)) {
      std::fprintf(stderr, "zedge-drain: cannot install into %s: %s\n", options.install_dir.c_str(), error->c_str());
      return kExitFailure;
    }
    std::printf("zedge-drain: installed %s/zedge-drain\n", options.install_dir.c_str());
    return 0;
  }
  return run_drain_hook(options);
}
