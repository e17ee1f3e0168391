// How far zedge's drain is, read from the admin API's GET /status.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace zedge::drain {

struct DrainProgress {
  bool started = false;              // drain.started
  bool finished = false;             // drain.finished
  double deadline_seconds_left = 0;  // drain.deadline_seconds_left (0 once passed)
  std::uint64_t listeners_open = 0;  // listeners[] with open: true
  std::uint64_t connections = 0;     // connections.total

  // zedge says the drain has nothing left to do (listeners closed with their backlog taken,
  // no client connection left): the handler is needed no more. The other fields say why
  // not yet.
  bool over() const { return started && finished; }
};

// Reads the fields above from a /status body (api/admin.openapi.yaml, Status);
// every other field is ignored. Nullopt and `error` when one is missing or mistyped.
std::optional<DrainProgress> parse_drain_progress(std::string_view status_json, std::string& error);

}  // namespace zedge::drain
