#include "server/object_sizes.hpp"

#include <sstream>

#include "server/http_connection.hpp"

namespace zedge::server {

std::string object_sizes_report() {
  std::ostringstream out;
  out << "connection (shell + session): " << sizeof(HttpConnection) << " bytes\n"
      << "  session state machine: " << sizeof(session::HttpSession) << " bytes\n"
      << "  request parser state (heap): " << http1::RequestParser::state_size_bytes()
      << " bytes, plus the method, target and headers of the last request\n"
      << "input and output buffers: none while idle; up to --buffer-size of input while a request is read\n";
  return out.str();
}

}  // namespace zedge::server
