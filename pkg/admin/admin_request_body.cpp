#include "admin/admin_request_body.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <cmath>
#include <set>

namespace zedge::admin {
namespace {

bool blank(std::string_view s) { return s.find_first_not_of(" \t\r\n") == std::string_view::npos; }

// Parses `body` as one JSON object whose member names are all different. The iterative
// parser keeps a deeply nested body (up to the 64 KB limit) off the admin thread's stack.
bool parse_object(std::string_view body, rapidjson::Document& doc, std::string& error) {
  doc.Parse<rapidjson::kParseIterativeFlag>(body.data(), body.size());
  if (doc.HasParseError()) {
    error = std::string("body is not valid JSON: ") + rapidjson::GetParseError_En(doc.GetParseError());
    return false;
  }
  if (!doc.IsObject()) {
    error = "body must be a JSON object";
    return false;
  }
  std::set<std::string_view> names;
  for (const auto& m : doc.GetObject()) {
    if (!names.emplace(m.name.GetString(), m.name.GetStringLength()).second) {
      error = "field repeated: " + std::string(m.name.GetString(), m.name.GetStringLength());
      return false;
    }
  }
  return true;
}

bool read_bool(const rapidjson::Value& v, std::string_view name, bool& out, std::string& error) {
  if (!v.IsBool()) {
    error = std::string(name) + " must be a boolean";
    return false;
  }
  out = v.GetBool();
  return true;
}

}  // namespace

std::optional<DrainOptions> parse_drain_body(std::string_view body, const DrainOptions& defaults, std::string& error) {
  DrainOptions options = defaults;
  if (blank(body)) return options;
  rapidjson::Document doc;
  if (!parse_object(body, doc, error)) return std::nullopt;
  for (const auto& m : doc.GetObject()) {
    const std::string_view name(m.name.GetString(), m.name.GetStringLength());
    bool ok = true;
    if (name == "timeout_seconds") {
      if (!m.value.IsNumber() || m.value.GetDouble() < 0 || m.value.GetDouble() > kMaxDrainTimeoutSeconds) {
        error = "timeout_seconds must be a number from 0 to 86400";
        return std::nullopt;
      }
      options.timeout = std::chrono::milliseconds(std::llround(m.value.GetDouble() * 1000));
    } else if (name == "stop_accepting") {
      ok = read_bool(m.value, name, options.stop_accepting, error);
    } else if (name == "close_websockets_now") {
      ok = read_bool(m.value, name, options.close_websockets_now, error);
    } else if (name == "exit") {
      ok = read_bool(m.value, name, options.exit_when_done, error);
    } else {
      error = "unknown field: " + std::string(name);
      return std::nullopt;
    }
    if (!ok) return std::nullopt;
  }
  return options;
}

std::optional<int> parse_log_level_body(std::string_view body, std::string& error) {
  rapidjson::Document doc;
  if (blank(body)) {
    error = "body must be {\"level\": 0..4}";
    return std::nullopt;
  }
  if (!parse_object(body, doc, error)) return std::nullopt;
  int level = -1;
  for (const auto& m : doc.GetObject()) {
    const std::string_view name(m.name.GetString(), m.name.GetStringLength());
    if (name != "level") {
      error = "unknown field: " + std::string(name);
      return std::nullopt;
    }
    if (!m.value.IsInt() || m.value.GetInt() < 0 || m.value.GetInt() > 4) {
      error = "level must be an integer from 0 (error) to 4 (trace)";
      return std::nullopt;
    }
    level = m.value.GetInt();
  }
  if (level < 0) {
    error = "level is required";
    return std::nullopt;
  }
  return level;
}

}  // namespace zedge::admin
