#include "http1/request_parser.hpp"

#include <llhttp.h>

#include <optional>
#include <string>
#include <utility>

#include "http1/field_text.hpp"
#include "http1/head_line_checker.hpp"
#include "http1/head_rules.hpp"
#include "http1/llhttp_error_status.hpp"

// llhttp's loose mode skips the CRLF after chunk data and accepts a space in header names;
// zedge's smuggling guarantees rest on the strict build. zedge_http1's
// CMakeLists sets this on the llhttp target.
static_assert(LLHTTP_STRICT_MODE == 1, "llhttp must be built with LLHTTP_STRICT_MODE=1");

namespace zedge::http1 {

const HeaderField* RequestHead::find(std::string_view name) const {
  for (const auto& field : headers) {
    if (equals_ignore_case(field.name, name)) return &field;
  }
  return nullptr;
}

namespace {

// Where the parser is inside one request. Head and trailers are bounded by
// max_head_bytes and checked line by line; the body is opaque.
enum class Section { Head, Body, Trailers };

// llhttp must never be given a null pointer: an open span restarts at the input pointer,
// and a null one would silently drop it.
constexpr char kNoInput[1] = {'\0'};

}  // namespace

struct RequestParser::Impl {
  explicit Impl(ParserLimits l) : limits(l) { reset(); }

  struct Segment;

  void reset();
  Step feed(std::string_view input);
  Segment execute(std::string_view rest);
  std::optional<Event> after_pause();
  Step fail(RequestError e, std::size_t consumed);

  // A callback refuses the request: llhttp stops, feed() reports this error.
  int refuse(int status, std::string message) {
    callback_error = RequestError{status, std::move(message)};
    return -1;
  }

  static Impl& of(llhttp_t* p) { return *static_cast<Impl*>(p->data); }
  static const llhttp_settings_t& settings();

  static int on_message_begin(llhttp_t* p);
  static int on_method(llhttp_t* p, const char* at, std::size_t n);
  static int on_method_complete(llhttp_t* p);
  static int on_url(llhttp_t* p, const char* at, std::size_t n);
  static int on_url_complete(llhttp_t* p);
  static int on_version(llhttp_t* p, const char* at, std::size_t n);
  static int on_version_complete(llhttp_t* p);
  static int on_header_field(llhttp_t* p, const char* at, std::size_t n);
  static int on_header_value(llhttp_t* p, const char* at, std::size_t n);
  static int on_header_value_complete(llhttp_t* p);
  static int on_headers_complete(llhttp_t* p);
  static int on_body(llhttp_t* p, const char* at, std::size_t n);
  static int on_chunk_header(llhttp_t* p);
  static int on_message_complete(llhttp_t* p);

  bool framing_agrees_with_llhttp() const;
  bool target_too_long() const { return head.target.size() > limits.max_target_bytes; }
  std::string target_too_long_message() const {
    return "request-target longer than " + std::to_string(limits.max_target_bytes) + " bytes";
  }

  ParserLimits limits;
  llhttp_t llhttp{};

  RequestHead head;
  std::string field_name;
  std::string field_value;
  std::string version_text;
  bool version_seen = false;

  Section section = Section::Head;
  std::size_t section_bytes = 0;
  HeadLineChecker lines;

  // Set by the callback that paused llhttp during the current llhttp_execute().
  std::optional<Event> pending;
  bool trailers_begin = false;
  std::optional<RequestError> callback_error;

  std::string_view body;
  RequestError error;
  bool dead = false;
};

const llhttp_settings_t& RequestParser::Impl::settings() {
  static const llhttp_settings_t kSettings = [] {
    llhttp_settings_t s;
    llhttp_settings_init(&s);
    s.on_message_begin = &Impl::on_message_begin;
    s.on_method = &Impl::on_method;
    s.on_method_complete = &Impl::on_method_complete;
    s.on_url = &Impl::on_url;
    s.on_url_complete = &Impl::on_url_complete;
    s.on_version = &Impl::on_version;
    s.on_version_complete = &Impl::on_version_complete;
    s.on_header_field = &Impl::on_header_field;
    s.on_header_value = &Impl::on_header_value;
    s.on_header_value_complete = &Impl::on_header_value_complete;
    s.on_headers_complete = &Impl::on_headers_complete;
    s.on_body = &Impl::on_body;
    s.on_chunk_header = &Impl::on_chunk_header;
    s.on_message_complete = &Impl::on_message_complete;
    return s;
  }();
  return kSettings;
}

void RequestParser::Impl::reset() {
  llhttp_init(&llhttp, HTTP_REQUEST, &settings());
  llhttp.data = this;
  // All leniencies off (they are off after init; stated here because they matter).
  llhttp_set_lenient_headers(&llhttp, 0);
  llhttp_set_lenient_chunked_length(&llhttp, 0);
  llhttp_set_lenient_keep_alive(&llhttp, 0);
  llhttp_set_lenient_transfer_encoding(&llhttp, 0);

  head = RequestHead{};
  field_name.clear();
  field_value.clear();
  version_text.clear();
  version_seen = false;
  section = Section::Head;
  section_bytes = 0;
  lines.start_head();
  pending.reset();
  trailers_begin = false;
  callback_error.reset();
  body = {};
  error = RequestError{};
  dead = false;
}

RequestParser::Step RequestParser::Impl::fail(RequestError e, std::size_t consumed) {
  dead = true;
  error = std::move(e);
  return Step{Event::Error, consumed};
}

// One llhttp_execute() over a prefix of the input.
struct RequestParser::Impl::Segment {
  llhttp_errno_t err = HPE_OK;
  std::size_t used = 0;    // bytes llhttp consumed
  bool truncated = false;  // the input was cut to the head/trailer size limit
};

RequestParser::Impl::Segment RequestParser::Impl::execute(std::string_view rest) {
  const bool bounded = section != Section::Body;
  const std::string_view slice = bounded ? rest.substr(0, limits.max_head_bytes - section_bytes) : rest;
  pending.reset();
  trailers_begin = false;
  body = {};
  const char* data = slice.empty() ? kNoInput : slice.data();
  Segment segment;
  segment.err = llhttp_execute(&llhttp, data, slice.size());
  segment.used = slice.size();
  segment.truncated = slice.size() < rest.size();
  if (segment.err != HPE_OK) {
    const char* pos = llhttp_get_error_pos(&llhttp);
    segment.used = (pos >= data && pos <= data + slice.size()) ? static_cast<std::size_t>(pos - data) : 0;
  }
  if (bounded) {
    section_bytes += segment.used;
    // llhttp stops at its own or a callback's error, so a line problem found in the bytes
    // it consumed comes first in the input and wins; that keeps the status the same
    // however the input was cut.
    if (!lines.check(slice.substr(0, segment.used))) {
      callback_error = RequestError{400, std::string(lines.problem())};
    }
  }
  return segment;
}

// Moves to the next section after a pause; returns the event to report, if any.
std::optional<RequestParser::Event> RequestParser::Impl::after_pause() {
  if (trailers_begin) {
    section = Section::Trailers;
    section_bytes = 0;
    lines.start_trailers();
    return std::nullopt;
  }
  if (pending == Event::HeadComplete) section = Section::Body;
  if (pending == Event::MessageComplete) {
    section = Section::Head;
    section_bytes = 0;
    lines.start_head();
  }
  return pending;
}

// Runs llhttp over the input one segment at a time. Every callback that ends a section
// (head complete, body span, last chunk, message complete) pauses llhttp, so a segment
// lies inside one section and the caller sees one event with its exact byte count.
RequestParser::Step RequestParser::Impl::feed(std::string_view input) {
  if (dead) return Step{Event::Error, 0};
  std::size_t consumed = 0;
  while (true) {
    const Segment segment = execute(input.substr(consumed));
    consumed += segment.used;
    if (callback_error) return fail(std::move(*callback_error), consumed);
    switch (segment.err) {
      case HPE_OK:
        if (segment.truncated) {
          // A target still being read when the head hit its limit is what made it too long.
          if (section == Section::Head && target_too_long() && !version_seen) {
            return fail(RequestError{414, target_too_long_message()}, consumed);
          }
          // RFC 9112 §2.3 / RFC 6585 §5: the head (or trailer section) outgrew the limit.
          const char* what = section == Section::Head ? "request head" : "trailer section";
          return fail(
              RequestError{431, std::string(what) + " larger than " + std::to_string(limits.max_head_bytes) + " bytes"},
              consumed);
        }
        return Step{Event::NeedMore, consumed};
      case HPE_PAUSED:
        llhttp_resume(&llhttp);
        if (const auto event = after_pause()) return Step{*event, consumed};
        continue;
      case HPE_PAUSED_UPGRADE:
        // llhttp stops after a message with Upgrade (or CONNECT, refused earlier). zedge
        // has already reported MessageComplete and left what follows to the caller; if it
        // feeds more, those bytes are the next HTTP request (RFC 9110 §7.8: no switch
        // happened unless the server said 101).
        llhttp_resume_after_upgrade(&llhttp);
        continue;
      default: return fail(error_from_llhttp(segment.err, version_text, version_seen), consumed);
    }
  }
}

int RequestParser::Impl::on_message_begin(llhttp_t* p) {
  Impl& self = of(p);
  self.head = RequestHead{};
  self.field_name.clear();
  self.field_value.clear();
  self.version_text.clear();
  self.version_seen = false;
  return 0;
}

int RequestParser::Impl::on_method(llhttp_t* p, const char* at, std::size_t n) {
  of(p).head.method.append(at, n);
  return 0;
}

int RequestParser::Impl::on_method_complete(llhttp_t* p) {
  // A tunnel is not something a connection manager in front of ZHTTP handlers can offer
  // (RFC 9110 §9.3.6); refuse it before llhttp switches to tunnel mode.
  if (llhttp_get_method(p) == HTTP_CONNECT) return of(p).refuse(501, "CONNECT is not supported");
  return 0;
}

// RFC 9112 §3: a server that receives a target longer than it wants to parse answers 414.
// Decided when the target is complete (or the head outgrew its limit inside it), not when
// a piece arrives: llhttp hands the target over in pieces wherever a read ends, and a bad
// byte later in it must give the same status however the input was cut (found by
// http1_request_fuzzer). The head limit bounds what is held meanwhile.
int RequestParser::Impl::on_url(llhttp_t* p, const char* at, std::size_t n) {
  of(p).head.target.append(at, n);
  return 0;
}

int RequestParser::Impl::on_url_complete(llhttp_t* p) {
  Impl& self = of(p);
  return self.target_too_long() ? self.refuse(414, self.target_too_long_message()) : 0;
}

int RequestParser::Impl::on_version(llhttp_t* p, const char* at, std::size_t n) {
  of(p).version_text.append(at, n);
  return 0;
}

int RequestParser::Impl::on_version_complete(llhttp_t* p) {
  Impl& self = of(p);
  self.version_seen = true;
  const int major = llhttp_get_http_major(p);
  const int minor = llhttp_get_http_minor(p);
  if (major != 1 || minor > 1) {
    // llhttp also accepts 0.9 and 2.0; zedge speaks HTTP/1.0 and HTTP/1.1 only.
    return self.refuse(505, "HTTP/" + self.version_text + " is not supported");
  }
  self.head.version_minor = minor;
  return 0;
}

int RequestParser::Impl::on_header_field(llhttp_t* p, const char* at, std::size_t n) {
  Impl& self = of(p);
  if (self.section != Section::Head) return 0;  // trailer fields are discarded
  self.field_name.append(at, n);
  return 0;
}

int RequestParser::Impl::on_header_value(llhttp_t* p, const char* at, std::size_t n) {
  Impl& self = of(p);
  if (self.section == Section::Head) self.field_value.append(at, n);
  return 0;
}

int RequestParser::Impl::on_header_value_complete(llhttp_t* p) {
  Impl& self = of(p);
  if (self.section != Section::Head) return 0;
  // Counted when a field line is complete, not when its name starts: llhttp reports a name
  // in pieces wherever a read ends, and a bad byte later in that line must give the same
  // status however the input was cut (found by http1_request_fuzzer). The line's bytes are
  // within max_head_bytes either way.
  if (self.head.headers.size() >= self.limits.max_headers) {
    return self.refuse(431, "more than " + std::to_string(self.limits.max_headers) + " header fields");
  }
  // The field value excludes trailing whitespace (RFC 9110 §5.5); llhttp strips the
  // leading part only.
  self.head.headers.push_back(HeaderField{std::move(self.field_name), std::string(trim_ows(self.field_value))});
  self.field_name.clear();
  self.field_value.clear();
  return 0;
}

int RequestParser::Impl::on_headers_complete(llhttp_t* p) {
  Impl& self = of(p);
  if (!self.version_seen) return self.refuse(400, "request line has no HTTP version");
  if (auto problem = apply_head_rules(self.head)) {
    self.callback_error = std::move(problem);
    return -1;
  }
  if (!self.framing_agrees_with_llhttp()) return self.refuse(400, "ambiguous message framing");
  self.pending = Event::HeadComplete;
  return HPE_PAUSED;
}

// Belt and braces: the body length zedge reports must be the one llhttp will parse, or a
// second request could hide in the body (or the body in a second request).
bool RequestParser::Impl::framing_agrees_with_llhttp() const {
  const unsigned flags = llhttp.flags;
  const bool chunked = (flags & F_CHUNKED) != 0;
  const bool has_length = (flags & F_CONTENT_LENGTH) != 0;
  const bool has_te = (flags & F_TRANSFER_ENCODING) != 0;
  switch (head.body_kind) {
    case BodyKind::None: return !chunked && !has_length && !has_te;
    case BodyKind::ContentLength: return has_length && !has_te && llhttp.content_length == head.content_length;
    case BodyKind::Chunked: return chunked && !has_length;
  }
  return false;
}

int RequestParser::Impl::on_body(llhttp_t* p, const char* at, std::size_t n) {
  if (n == 0) return 0;
  Impl& self = of(p);
  self.body = std::string_view(at, n);
  self.pending = Event::BodyData;
  return HPE_PAUSED;
}

int RequestParser::Impl::on_chunk_header(llhttp_t* p) {
  Impl& self = of(p);
  if (p->content_length > kMaxBodyLengthBytes) return self.refuse(400, "chunk size too large");
  if (p->content_length == 0) {
    // The last chunk: what follows up to the blank line is the trailer section, which
    // gets the same line checks and size limit as the head.
    self.trailers_begin = true;
    return HPE_PAUSED;
  }
  return 0;
}

int RequestParser::Impl::on_message_complete(llhttp_t* p) {
  of(p).pending = Event::MessageComplete;
  return HPE_PAUSED;
}

// The state lives on the heap only while a request is being read: an idle connection that
// called release_memory() holds none of it.
RequestParser::RequestParser(ParserLimits limits) : limits_(limits) {}
RequestParser::~RequestParser() = default;

RequestParser::Impl& RequestParser::state() {
  if (!impl_) impl_ = std::make_unique<Impl>(limits_);
  return *impl_;
}

RequestParser::Step RequestParser::feed(std::string_view input) { return state().feed(input); }

const RequestHead& RequestParser::head() const {
  static const RequestHead kNoHead;
  return impl_ ? impl_->head : kNoHead;
}

std::string_view RequestParser::body_data() const { return impl_ ? impl_->body : std::string_view(); }

const RequestError& RequestParser::error() const {
  static const RequestError kNoError;
  return impl_ ? impl_->error : kNoError;
}

void RequestParser::reset() {
  if (impl_) impl_->reset();
}

void RequestParser::release_memory() { impl_.reset(); }

std::size_t RequestParser::state_size_bytes() { return sizeof(Impl); }

}  // namespace zedge::http1
