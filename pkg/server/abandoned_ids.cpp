#include "server/abandoned_ids.hpp"

#include <algorithm>

namespace zedge::server {

void AbandonedIds::remember(std::string id, Clock::time_point now) {
  while (!ids_.empty() && (ids_.size() >= kKept || now - ids_.front().second > kKeptFor)) ids_.pop_front();
  ids_.emplace_back(std::move(id), now);
}

bool AbandonedIds::take_for_cancel(const zhttp::Packet& packet, std::string_view id) {
  if (packet.from.empty() || packet.type == zhttp::PacketType::Cancel || packet.type == zhttp::PacketType::Error) {
    return false;
  }
  const auto it = std::find_if(ids_.begin(), ids_.end(), [&](const auto& entry) { return entry.first == id; });
  if (it == ids_.end()) return false;
  ids_.erase(it);
  return true;
}

bool AbandonedIds::contains(std::string_view id) const {
  return std::any_of(ids_.begin(), ids_.end(), [&](const auto& entry) { return entry.first == id; });
}

}  // namespace zedge::server
