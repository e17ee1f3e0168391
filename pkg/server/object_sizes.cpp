#include "server/object_sizes.hpp"

#include <sstream>

#include "server/http_connection.hpp"

namespace zedge::server {

std::string object_sizes_report() {
  std::ostringstream out;
  out << "connection (shell + session): " << sizeof(HttpConnection) << " bytes\n"
      << "  session state machine: " << sizeof(session::HttpSession) << " bytes\n"
      << "request parser state (heap): " << http1::RequestParser::state_size_bytes()
      << " bytes plus the request's head, only while requests arrive\n"
      << "input and output buffers: only while bytes are in flight; input at most --buffer-size\n"
      << "(a connection quiet for one 250 ms sweep gives parser state and buffers back)\n";
  return out.str();
}

}  // namespace zedge::server
