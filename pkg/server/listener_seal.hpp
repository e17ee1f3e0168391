// Closing a listening socket resets every connection the kernel completed for it but we
// have not accepted yet. To close without that loss, a listener is first sealed (the
// kernel completes no new connection on it), then its backlog is accepted dry, and only
// then is it closed.
#pragma once

#include <optional>
#include <string>

namespace zedge::server {

// Seals the listening socket `fd` of address family `family` (AF_INET, AF_INET6, AF_UNIX).
// tcp: a socket filter drops incoming SYNs, so no new handshake starts (the client's connect
// retries, then meets the closed port: refused); handshakes already answered still complete
// into the backlog. unix: shutdown(SHUT_RD), after which connect() is refused at once while
// queued connections stay acceptable. Irreversible; returns an error text on failure.
std::optional<std::string> seal_listening_socket(int fd, int family);

}  // namespace zedge::server
