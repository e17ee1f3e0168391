// The JSON bodies of the mutating endpoints (api/admin.openapi.yaml). Strict: unknown
// fields and wrong types are refused (400) rather than ignored, so a typo in an operator's
// script is not silently a drain with default options.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "admin/admin_backend.hpp"

namespace zedge::admin {

// Longest drain a request may ask for.
inline constexpr double kMaxDrainTimeoutSeconds = 86400;

// POST /drain: an empty body (or only whitespace) means `defaults`; else an object with
// any of timeout_seconds (number, 0..86400), stop_accepting, close_websockets_now, exit
// (booleans). On error returns nullopt and sets `error`.
std::optional<DrainOptions> parse_drain_body(std::string_view body, const DrainOptions& defaults, std::string& error);

// POST /log-level: {"level": 0..4} (an integer; 0 error .. 4 trace).
std::optional<int> parse_log_level_body(std::string_view body, std::string& error);

}  // namespace zedge::admin
