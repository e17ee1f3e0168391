// What a connection on a tls listener holds beyond a plain one; private to
// http_connection.cpp and http_connection_tls.cpp.
#pragma once

#include <optional>
#include <string>

#include "metrics/metric_labels.hpp"
#include "server/http_connection.hpp"
#include "tls/channel.hpp"

namespace zedge::server {

struct HttpConnection::TlsState {
  TlsState(SSL* ssl, int fd, std::string peer_name, session::Clock::time_point deadline)
      : channel(ssl, fd), peer(std::move(peer_name)), handshake_deadline(deadline) {}

  tls::Channel channel;
  std::string peer;  // for log lines
  session::Clock::time_point handshake_deadline;
  // Set when the handshake failed: the connection never had a session to give a reason.
  std::optional<metrics::CloseKind> handshake_failure;
  std::size_t written = 0;        // of out_writing_, in the write under way
  std::size_t write_ticket = 0;   // the session's ticket for that write
  bool read_wants_write = false;  // OpenSSL must send before it can read on
};

}  // namespace zedge::server
