#include "server/object_sizes.hpp"

#include <sstream>

#include "server/http_connection.hpp"

namespace zedge::server {

std::string object_sizes_report() {
  std::ostringstream out;
  out << "connection (I/O shell): " << sizeof(HttpConnection) << " bytes\n"
      << "  plus its session's HTTP phase (heap): " << sizeof(session::HttpSession) << " bytes\n"
      << "  or, after an upgrade, its WebSocket phase (heap): " << sizeof(session::WebSocketSession) << " bytes\n"
      << "request parser state (heap): " << http1::RequestParser::state_size_bytes()
      << " bytes plus the request's head, only while requests arrive\n"
      << "input and output buffers: only while bytes are in flight; input at most --buffer-size\n"
      << "(a connection quiet for one 250 ms sweep gives parser state and buffers back)\n"
      << "tls connections add: " << HttpConnection::tls_state_size_bytes()
      << " bytes plus OpenSSL's SSL object (about 14.5 KB idle, measured with OpenSSL 3.0);\n"
      << "  its 16 KB record buffers only while bytes are in flight (SSL_MODE_RELEASE_BUFFERS)\n";
  return out.str();
}

}  // namespace zedge::server
