// What zedge-drain does as a preStop hook: wait, ask zedge to drain, wait for the drain
// to be over.
#pragma once

#include "drain_options.hpp"

namespace zedge::drain {

// Returns the exit status (0 drained, 1 failed; the failure is one line on stderr).
int run_drain_hook(const DrainOptions& options);

}  // namespace zedge::drain
