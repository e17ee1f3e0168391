#include "bridge/discovered_endpoints.hpp"

#include <set>

namespace zedge::bridge {

DiscoveredEndpoints::Changes DiscoveredEndpoints::update(const std::vector<std::string>& addresses,
                                                         Clock::time_point now) {
  Changes changes;
  const std::set<std::string> wanted(addresses.begin(), addresses.end());
  for (const auto& address : wanted) {
    if (live_.contains(address)) continue;
    live_.emplace(address, true);
    changes.connect_push.push_back(address);
    // Back within its grace period: ROUTER and SUB never left.
    if (leaving_.erase(address) == 0) changes.connect_others.push_back(address);
  }
  for (auto it = live_.begin(); it != live_.end();) {
    if (wanted.contains(it->first)) {
      ++it;
      continue;
    }
    changes.disconnect_push.push_back(it->first);
    leaving_.emplace(it->first, now);
    it = live_.erase(it);
  }
  return changes;
}

DiscoveredEndpoints::Changes DiscoveredEndpoints::expire(Clock::time_point now) {
  Changes changes;
  for (auto it = leaving_.begin(); it != leaving_.end();) {
    if (now - it->second < grace_) {
      ++it;
      continue;
    }
    changes.disconnect_others.push_back(it->first);
    it = leaving_.erase(it);
  }
  return changes;
}

std::vector<std::string> DiscoveredEndpoints::live() const {
  std::vector<std::string> out;
  for (const auto& [address, unused] : live_) out.push_back(address);
  return out;
}

std::vector<std::string> DiscoveredEndpoints::leaving() const {
  std::vector<std::string> out;
  for (const auto& [address, since] : leaving_) out.push_back(address);
  return out;
}

}  // namespace zedge::bridge
