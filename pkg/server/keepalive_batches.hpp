// Keep-alives toward handlers, batched: one multi-id keep-alive packet per handler address
// for all its open sessions that want one, at most zhttp::kIdsMax (128) ids a packet.
// Plain data: no sockets, no clock. The worker feeds its sessions and sends the packets.
#pragma once

#include <cstdint>
#include <map>
#include <string_view>
#include <utility>
#include <vector>

#include "zhttp/packet.hpp"

namespace zedge::server {

class KeepaliveBatches {
 public:
  struct Batch {
    std::string_view address;  // the handler identity (ROUTER) the packet goes to
    zhttp::Packet packet;      // keep-alive, ext.multi, ids with their seqs
  };

  // Adds `session` if it wants a keep-alive (taking its seq then); others are left out.
  // Session: wants_keepalive(), handler_address(), request_id(), take_keepalive_seq().
  template <typename Session>
  void add(Session& session) {
    if (!session.wants_keepalive()) return;
    add(session.handler_address(), session.request_id(), session.take_keepalive_seq());
  }
  void add(std::string_view address, std::string_view id, std::int64_t seq);

  // The packets, `from` as sender: addresses in ascending order, each address's ids in the
  // order added, split every kIdsMax ids. The views stay those given to add().
  std::vector<Batch> packets(std::string_view from) const;

 private:
  std::map<std::string_view, std::vector<std::pair<std::string_view, std::int64_t>>> by_handler_;
};

}  // namespace zedge::server
