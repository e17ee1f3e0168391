// `--sizes`: what the per-connection objects cost, for capacity planning (as Condure's
// --sizes prints its task sizes).
#pragma once

#include <string>

namespace zedge::server {

std::string object_sizes_report();

}  // namespace zedge::server
