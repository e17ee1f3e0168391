// Ids of sessions closed before their handler's first packet (the handler's address was not
// known yet, so it could not be told). A later packet from that handler for such an id is
// answered with `cancel`; an id never remembered is just dropped. Bounded: ids are kept
// 60 s (handlers answer within their own session timeout) and at most 4096 of them.
// Plain data: no sockets; time is passed in.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <utility>

#include "zhttp/packet.hpp"

namespace zedge::server {

class AbandonedIds {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::size_t kKept = 4096;
  static constexpr auto kKeptFor = std::chrono::seconds(60);

  // Remembers `id`, first forgetting the oldest ids while the list is full or they are
  // older than kKeptFor at `now`.
  void remember(std::string id, Clock::time_point now);

  // True if `packet`, addressing `id`, is owed a cancel: it has a sender, is neither cancel
  // nor error, and `id` is remembered. The id is then forgotten (one cancel per id).
  bool take_for_cancel(const zhttp::Packet& packet, std::string_view id);

  bool contains(std::string_view id) const;
  std::size_t size() const { return ids_.size(); }

 private:
  std::deque<std::pair<std::string, Clock::time_point>> ids_;  // oldest first
};

}  // namespace zedge::server
