// The JSON bodies of the admin API (shapes in api/admin.openapi.yaml), written with
// RapidJSON's Writer.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "admin/admin_backend.hpp"

namespace zedge::admin {

// GET /status (and the answers of POST /drain, /drain/cancel, /quit). `not_ready_reason`
// is the backend's readiness at the same moment (null in the JSON when ready).
std::string status_json(const StatusSnapshot& status, const std::optional<std::string>& not_ready_reason);

// GET /connections: {"connections": {...}, "workers": [{"index", "connections"}]}.
std::string connections_json(const StatusSnapshot& status);

// {"error": "<message>"}
std::string error_json(std::string_view message);

// {"level": N}
std::string log_level_json(int level);

}  // namespace zedge::admin
