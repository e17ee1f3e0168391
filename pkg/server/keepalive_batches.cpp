#include "server/keepalive_batches.hpp"

#include <algorithm>

namespace zedge::server {

void KeepaliveBatches::add(std::string_view address, std::string_view id, std::int64_t seq) {
  by_handler_[address].emplace_back(id, seq);
}

std::vector<KeepaliveBatches::Batch> KeepaliveBatches::packets(std::string_view from) const {
  std::vector<Batch> out;
  for (const auto& [address, sessions] : by_handler_) {
    for (std::size_t first = 0; first < sessions.size(); first += zhttp::kIdsMax) {
      Batch& batch = out.emplace_back();
      batch.address = address;
      batch.packet.from = from;
      batch.packet.type = zhttp::PacketType::KeepAlive;
      batch.packet.ext_multi = true;
      const std::size_t last = std::min(sessions.size(), first + zhttp::kIdsMax);
      for (std::size_t i = first; i < last; ++i) batch.packet.ids.push_back({sessions[i].first, sessions[i].second});
    }
  }
  return out;
}

}  // namespace zedge::server
