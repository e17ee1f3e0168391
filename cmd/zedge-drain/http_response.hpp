// The admin API's answer to one request, read until the server closed the connection.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace zedge::drain {

struct HttpResponse {
  int status = 0;
  std::string body;
};

// Parses a whole HTTP/1.x response: status line, header fields, then the body framed by
// Content-Length (or everything after the head without one). Nullopt and `error` when the
// bytes are not a complete response.
std::optional<HttpResponse> parse_http_response(std::string_view bytes, std::string& error);

// The "error" string of a JSON error body ({"error": "..."}), else the body itself cut to
// one short line, for messages.
std::string error_message(std::string_view body);

}  // namespace zedge::drain
