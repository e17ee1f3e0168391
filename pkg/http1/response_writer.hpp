// HTTP/1.x response serialization (sans-I/O): status line and headers from a handler's
// ZHTTP response, and body framing (Content-Length, chunked, or close-delimited).
// Behaviour follows Condure 1.9.1's response serialization, with the RFC 9112 fixes of
// api/zhttp.md, "Where zedge differs from Condure" (no body for HEAD/1xx/204/304).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace zedge::http1 {

enum class Framing {
  NoBody,          // HEAD, 1xx, 204, 304: no body bytes written
  ContentLength,   // length known up front
  Chunked,         // HTTP/1.1, length unknown
  CloseDelimited,  // HTTP/1.0, length unknown: the connection ends the body
};

struct ResponseHeader {
  std::string_view name;
  std::string_view value;
};

struct ResponseInfo {
  int version_minor = 1;  // the request's version
  bool head_request = false;
  int code = 200;
  std::string_view reason;
  std::vector<ResponseHeader> headers;  // handler's headers, in order
  // Body known so far: the first packet's body, and whether more packets follow.
  std::size_t first_body_size = 0;
  bool more = false;
  bool keep_alive = true;  // the connection may persist (request said so, nothing forbids it)
};

struct ResponsePlan {
  Framing framing = Framing::ContentLength;
  std::uint64_t content_length = 0;  // for ContentLength
  bool keep_alive = true;            // final decision (CloseDelimited forces false)
  bool announce_length = false;      // NoBody: still write Content-Length (HEAD, 304)
};

// Decides framing: no body for HEAD, 1xx, 204 and 304; else the handler's Content-Length
// header (must be digits, else error), else the first body when `more` is false, else
// chunked (1.1) / close-delimited (1.0). For NoBody, content_length holds the handler's
// Content-Length (written only for HEAD and 304).
// Returns nullopt if the handler's response cannot be written safely: a Content-Length
// that is not digits (or repeated with different values), a status code outside
// 100..999, a header name that is not a token, or CR/LF/NUL in a value or the reason.
std::optional<ResponsePlan> plan_response(const ResponseInfo& info);

// Appends the status line (empty reason => reason_phrase(code)) and headers: the
// handler's headers minus Content-Length, Transfer-Encoding and Connection (Connection is
// kept for 101), then the framing headers and Connection (HTTP/1.0 + keep-alive =>
// "Connection: keep-alive"; HTTP/1.1 + close => "Connection: close"; none for 101).
// No "Connection: Transfer-Encoding" line (a Condure quirk zedge drops).
void write_head(const ResponseInfo& info, const ResponsePlan& plan, std::string& out);

// Appends one chunk ("<hex>\r\n<data>\r\n"); empty data writes nothing.
void write_chunk(std::string_view data, std::string& out);
// Appends the last chunk "0\r\n\r\n".
void write_last_chunk(std::string& out);

// Appends a complete short response with a text/plain body (for errors zedge generates).
void write_simple_response(int version_minor, int code, std::string_view reason, std::string_view body, bool keep_alive,
                           std::string& out);

// Standard reason phrase for a status code ("Bad Request" for 400, ...).
std::string_view reason_phrase(int code);

}  // namespace zedge::http1
