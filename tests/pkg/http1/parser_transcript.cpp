#include "parser_transcript.hpp"

namespace zedge::http1::testing {
namespace {

std::string describe_head(const RequestHead& head) {
  std::string out = "head " + head.method + " " + head.target + " HTTP/1." + std::to_string(head.version_minor);
  switch (head.body_kind) {
    case BodyKind::None: out += " body=none"; break;
    case BodyKind::ContentLength: out += " body=length:" + std::to_string(head.content_length); break;
    case BodyKind::Chunked: out += " body=chunked"; break;
  }
  out += head.keep_alive ? " keep-alive" : " close";
  if (head.expect_continue) out += " expect-continue";
  if (head.websocket_upgrade) out += " websocket";
  out += "\n";
  for (const auto& field : head.headers) out += "  [" + field.name + "][" + field.value + "]\n";
  return out;
}

}  // namespace

Transcript drive(std::string_view input, const std::vector<std::size_t>& cuts, ParserLimits limits) {
  RequestParser parser(limits);
  Transcript t;
  std::string buffer;
  std::string body_run;
  bool stopped = false;
  auto flush_body = [&] {
    if (!body_run.empty()) t.text += "body [" + body_run + "]\n";
    body_run.clear();
  };

  std::size_t offset = 0;
  std::vector<std::size_t> ends = cuts;
  ends.push_back(input.size());
  for (const std::size_t end : ends) {
    if (stopped) break;
    buffer.append(input.substr(offset, end - offset));
    offset = end;
    while (true) {
      const auto step = parser.feed(buffer);
      if (step.consumed > buffer.size()) {
        t.text += "consumed more than given\n";
        stopped = true;
        break;
      }
      const std::string_view body = parser.body_data();
      const std::string data(body);
      buffer.erase(0, step.consumed);
      // Body bytes are one run however they were cut; NeedMore does not end a run.
      if (step.event != RequestParser::Event::BodyData && step.event != RequestParser::Event::NeedMore) {
        flush_body();
      }
      if (step.event == RequestParser::Event::NeedMore) break;
      if (step.event == RequestParser::Event::Error) {
        t.text += "error " + std::to_string(parser.error().status) + " " + parser.error().message + "\n";
        t.error_status = parser.error().status;
        stopped = true;
        break;
      }
      if (step.event == RequestParser::Event::HeadComplete) {
        t.text += describe_head(parser.head());
        t.targets.push_back(parser.head().target);
      } else if (step.event == RequestParser::Event::BodyData) {
        body_run += data;
      } else if (step.event == RequestParser::Event::MessageComplete) {
        t.text += "complete\n";
        if (parser.head().websocket_upgrade) {
          stopped = true;
          break;
        }
      }
    }
  }
  flush_body();
  if (!t.error_status) t.unconsumed = buffer + std::string(input.substr(offset));
  return t;
}

void PrintTo(const Transcript& t, std::ostream* os) {
  *os << "\n" << t.text << "unconsumed [" << t.unconsumed << "]\n";
}

Transcript drive_whole(std::string_view input, ParserLimits limits) { return drive(input, {}, limits); }

Transcript drive_bytewise(std::string_view input, ParserLimits limits) {
  std::vector<std::size_t> cuts;
  for (std::size_t i = 1; i < input.size(); ++i) cuts.push_back(i);
  return drive(input, cuts, limits);
}

}  // namespace zedge::http1::testing
