#include "admin/peer_address.hpp"

#include <system_error>

namespace zedge::admin {

bool is_loopback(const asio::ip::address& address) {
  if (address.is_v4()) return address.to_v4().to_bytes()[0] == 127;
  const auto v6 = address.to_v6();
  if (v6.is_loopback()) return true;
  if (v6.is_v4_mapped()) return asio::ip::make_address_v4(asio::ip::v4_mapped, v6).to_bytes()[0] == 127;
  return false;
}

std::optional<asio::ip::address> bind_address(std::string_view host) {
  // No resolver: a name other than localhost could resolve to a public address, which an
  // admin listener should only get when asked for explicitly.
  if (host == "localhost") return asio::ip::make_address_v4("127.0.0.1");
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  std::error_code ec;
  const auto address = asio::ip::make_address(std::string(host), ec);
  if (ec) return std::nullopt;
  return address;
}

}  // namespace zedge::admin
