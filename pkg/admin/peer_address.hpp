// Address checks for the admin listener.
#pragma once

#include <asio/ip/address.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace zedge::admin {

// 127.0.0.0/8, ::1, and ::ffff:127.x.y.z (an IPv4 loopback peer on a dual-stack socket).
bool is_loopback(const asio::ip::address& address);

// The address to bind for `--admin-listen`'s host part: an IP literal (IPv6 with or
// without brackets) or "localhost" (127.0.0.1). nullopt if it is neither.
std::optional<asio::ip::address> bind_address(std::string_view host);

}  // namespace zedge::admin
