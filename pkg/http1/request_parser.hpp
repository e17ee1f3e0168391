// HTTP/1.x request parsing over llhttp in strict mode (RFC 9112). Sans-I/O: the caller
// feeds bytes and gets events back one at a time, so it can stop between messages
// (pipelining) and feed body bytes only as fast as it can forward them (credits).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace zedge::http1 {

struct HeaderField {
  std::string name;
  std::string value;
};

enum class BodyKind { None, ContentLength, Chunked };

struct RequestHead {
  std::string method;
  std::string target;                // request-target as sent
  int version_minor = 1;             // HTTP/1.<minor>; only 0 and 1 are accepted
  std::vector<HeaderField> headers;  // order, case and duplicates preserved; values
                                     // without leading/trailing whitespace

  BodyKind body_kind = BodyKind::None;  // None: no Content-Length or Transfer-Encoding
  std::uint64_t content_length = 0;     // when body_kind == ContentLength (may be 0)
  bool keep_alive = false;              // persistence per RFC 9112 §9.3 (version + Connection)
  bool expect_continue = false;         // HTTP/1.1 "Expect: 100-continue" with a body
  bool websocket_upgrade = false;       // some Upgrade header equals "websocket" (case-insensitive)

  // First header with this name (case-insensitive), or nullptr.
  const HeaderField* find(std::string_view name) const;
};

struct ParserLimits {
  std::size_t max_head_bytes = 8192;  // request line + headers + blank line
  std::size_t max_headers = 64;
  std::size_t max_target_bytes = 4096;
};

// Why a request was refused, and the status a server should answer with.
struct RequestError {
  int status = 400;     // 400, 414, 431, 501 or 505 (set in llhttp_error_status.cpp,
                        // head_rules.cpp, request_parser.cpp)
  std::string message;  // short text for a text/plain body and the log
};

class RequestParser {
 public:
  enum class Event {
    NeedMore,         // all input consumed; feed more
    HeadComplete,     // head() is ready; body (if any) follows
    BodyData,         // body_data() holds the next de-chunked body bytes
    MessageComplete,  // the request (head and body) is finished
    Error,            // error() says why; the parser is dead
  };

  struct Step {
    Event event = Event::NeedMore;
    std::size_t consumed = 0;  // input bytes used by this step
  };

  explicit RequestParser(ParserLimits limits = {});
  ~RequestParser();
  RequestParser(const RequestParser&) = delete;
  RequestParser& operator=(const RequestParser&) = delete;

  // Consumes a prefix of `input` up to and including the next event. Call again with the
  // remaining bytes after handling the event -- even when none remain, since the next
  // event may need no input (MessageComplete after the last body bytes or after a head
  // without body) -- until NeedMore. In the body, `input` may be any prefix of the
  // available bytes (to forward only as much as the handler has credit for).
  // After MessageComplete the parser is ready for the next request on the same
  // connection; bytes after it (a pipelined request, WebSocket frames after an upgrade
  // request) are not consumed. After Error, feed() returns Error until reset().
  Step feed(std::string_view input);

  const RequestHead& head() const;     // valid from HeadComplete until the next request begins
  std::string_view body_data() const;  // valid until the next feed()
  const RequestError& error() const;

  // Resets for a new connection.
  void reset();
  // Between requests: gives back all parser state (it is made again on the next feed).
  void release_memory();

  // Bytes of the parser's own heap state (llhttp plus the head being built), for --sizes.
  static std::size_t state_size_bytes();

 private:
  struct Impl;
  Impl& state();

  ParserLimits limits_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace zedge::http1
