// An admin request as the router sees it, the response it makes, and the response's bytes
// on the wire. Sans-I/O: the AdminServer fills AdminRequest from http1::RequestParser.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http1/request_parser.hpp"

namespace zedge::admin {

struct AdminRequest {
  std::string method;
  std::string target;  // path and query as sent
  std::vector<http1::HeaderField> headers;
  std::string body;
  bool peer_is_loopback = false;

  // First header with this name (case-insensitive), or nullptr.
  const http1::HeaderField* find(std::string_view name) const;
};

inline constexpr std::string_view kJsonContentType = "application/json";
inline constexpr std::string_view kTextContentType = "text/plain; charset=utf-8";

struct AdminResponse {
  int status = 200;
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra, e.g. Allow on a 405
};

// The whole HTTP/1.x response: status line, Content-Type, the extra headers,
// `Cache-Control: no-store` (probes and status must never be served from a cache),
// Connection and Content-Length, then the body (none for HEAD; its length is still
// announced, RFC 9110 §9.3.2).
std::string write_response(const AdminResponse& response, int version_minor, bool head_request, bool keep_alive);

}  // namespace zedge::admin
