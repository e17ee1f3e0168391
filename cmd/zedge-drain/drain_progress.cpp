#include "drain_progress.hpp"

#include <rapidjson/document.h>

namespace zedge::drain {
namespace {

const rapidjson::Value* member(const rapidjson::Value& object, const char* name) {
  if (!object.IsObject()) return nullptr;
  const auto found = object.FindMember(name);
  return found == object.MemberEnd() ? nullptr : &found->value;
}

}  // namespace

std::optional<DrainProgress> parse_drain_progress(std::string_view status_json, std::string& error) {
  rapidjson::Document doc;
  doc.Parse(status_json.data(), status_json.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    error = "/status is not a JSON object";
    return std::nullopt;
  }
  DrainProgress progress;
  const rapidjson::Value* drain = member(doc, "drain");
  const rapidjson::Value* started = drain ? member(*drain, "started") : nullptr;
  const rapidjson::Value* finished = drain ? member(*drain, "finished") : nullptr;
  const rapidjson::Value* left = drain ? member(*drain, "deadline_seconds_left") : nullptr;
  const rapidjson::Value* connections = member(doc, "connections");
  const rapidjson::Value* total = connections ? member(*connections, "total") : nullptr;
  const rapidjson::Value* listeners = member(doc, "listeners");
  if (!started || !started->IsBool() || !finished || !finished->IsBool() || !left || !left->IsNumber() || !total ||
      !total->IsUint64() || !listeners || !listeners->IsArray()) {
    error = "/status lacks drain.started, drain.finished, drain.deadline_seconds_left, connections.total or listeners";
    return std::nullopt;
  }
  progress.started = started->GetBool();
  progress.finished = finished->GetBool();
  progress.deadline_seconds_left = left->GetDouble();
  progress.connections = total->GetUint64();
  for (const auto& listener : listeners->GetArray()) {
    const rapidjson::Value* open = member(listener, "open");
    if (!open || !open->IsBool()) {
      error = "/status has a listener without open";
      return std::nullopt;
    }
    if (open->GetBool()) ++progress.listeners_open;
  }
  return progress;
}

}  // namespace zedge::drain
