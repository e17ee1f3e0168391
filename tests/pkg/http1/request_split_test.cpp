// However the bytes are cut -- whole, byte by byte, at any single point, or in random
// pieces -- the parser must see the same requests, bodies, errors and leftovers.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "http1/request_parser.hpp"
#include "parser_transcript.hpp"

namespace zedge::http1 {
namespace {

using testing::bytes;
using testing::drive;
using testing::drive_bytewise;
using testing::drive_whole;

struct Sample {
  const char* name;
  std::string input;
};

void PrintTo(const Sample& s, std::ostream* os) { *os << s.name; }

class SplitFeeding : public ::testing::TestWithParam<Sample> {};

TEST_P(SplitFeeding, ByteByByteEqualsWhole) {
  const auto& input = GetParam().input;
  EXPECT_EQ(drive_bytewise(input), drive_whole(input)) << drive_whole(input).text;
}

TEST_P(SplitFeeding, EverySingleCutEqualsWhole) {
  const auto& input = GetParam().input;
  const auto whole = drive_whole(input);
  for (std::size_t cut = 1; cut < input.size(); ++cut) {
    const auto t = drive(input, {cut});
    ASSERT_EQ(t, whole) << "cut at " << cut << "\n" << t.text << "--- whole:\n" << whole.text;
  }
}

TEST_P(SplitFeeding, RandomPiecesEqualWhole) {
  const auto& input = GetParam().input;
  const auto whole = drive_whole(input);
  std::mt19937 random(20240601);
  for (int round = 0; round < 200; ++round) {
    std::vector<std::size_t> cuts;
    std::size_t at = 0;
    while (true) {
      at += 1 + random() % 7;
      if (at >= input.size()) break;
      cuts.push_back(at);
    }
    const auto t = drive(input, cuts);
    ASSERT_EQ(t, whole) << "round " << round << "\n" << t.text;
  }
}

// Small random edits (CR, LF, spaces, colons, digits, NUL...) of valid requests: whatever
// the parser makes of them, it makes the same of every cutting.
TEST(SplitFeedingMutated, RandomEditsOfValidRequestsParseTheSameWhenCut) {
  const std::vector<std::string> seeds = {
      "GET /a?b=c HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n",
      "POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello worldGET / HTTP/1.1\r\nHost: a\r\n\r\n",
      "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;e\r\nhello\r\n1\r\n \r\n0\r\n"
      "X-T: a\r\n\r\nGET /x HTTP/1.1\r\nHost: a\r\n\r\n",
      "GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x81\x85\x37\xfa",
      "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /2 HTTP/1.0\r\n\r\n",
  };
  const std::string alphabet = bytes("\r\n \t:,;0aZ9-\"\x7f\x80\0");
  std::mt19937 random(7);
  for (int round = 0; round < 3000; ++round) {
    std::string in = seeds[random() % seeds.size()];
    for (auto edits = 1 + random() % 3; edits > 0; --edits) {
      const std::size_t at = random() % (in.size() + 1);
      const char c = alphabet[random() % alphabet.size()];
      switch (random() % 3) {
        case 0: in.insert(at, 1, c); break;
        case 1:
          if (at < in.size()) in.erase(at, 1);
          break;
        default:
          if (at < in.size()) in[at] = c;
          break;
      }
    }
    const auto whole = drive_whole(in);
    ASSERT_EQ(drive_bytewise(in), whole) << "round " << round;
    std::vector<std::size_t> cuts;
    for (std::size_t at = 1 + random() % 9; at < in.size(); at += 1 + random() % 9) cuts.push_back(at);
    ASSERT_EQ(drive(in, cuts), whole) << "round " << round;
  }
}

std::string name_of(const ::testing::TestParamInfo<Sample>& info) { return info.param.name; }

INSTANTIATE_TEST_SUITE_P(
    Corpus, SplitFeeding,
    ::testing::Values(
        Sample{"get", "GET /a?b=c HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n"},
        Sample{"get_http10_keep_alive", "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"},
        Sample{"post_content_length", "POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world"},
        Sample{"post_chunked_with_extensions_and_trailers",
               "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
               "5;ext=1\r\nhello\r\n"
               "1\r\n \r\n"
               "5;q=\"x y\"\r\nworld\r\n"
               "0\r\n"
               "X-Checksum: abc\r\n"
               "X-Other: def\r\n"
               "\r\n"},
        Sample{"pipelined_three",
               "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
               "POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
               "POST /3 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nxy\r\n0\r\n\r\n"
               "GET /4 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"},
        Sample{"empty_line_between_requests",
               "POST /1 HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\nx\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n"},
        Sample{"websocket_upgrade_then_frames",
               bytes("GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
                     "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58\x88\x80\x00\x00\x00\x00")},
        Sample{"h2c_upgrade_ignored",
               "GET /1 HTTP/1.1\r\nHost: a\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\nGET /2 HTTP/1.1\r\nHost: "
               "a\r\n\r\n"},
        Sample{"incomplete_body", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nhalf"},
        Sample{"incomplete_head", "GET / HTTP/1.1\r\nHost: a\r\nX-Partial: val"},
        Sample{"error_cl_te",
               "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nX"},
        Sample{"error_obs_fold", "GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n 2\r\n\r\n"},
        Sample{"error_bare_lf_blank_line", "GET / HTTP/1.1\r\nHost: a\r\n\n"},
        Sample{"error_bad_chunk_size",
               "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n"},
        Sample{"error_after_good_request",
               "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\nContent-Length: x\r\n\r\n"},
        Sample{"error_version", "GET / HTTP/1.2\r\nHost: a\r\n\r\n"},
        Sample{"error_gzip", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n"},
        Sample{"error_target_too_long", "GET /" + std::string(5000, 'x') + " HTTP/1.1\r\nHost: a\r\n\r\n"}),
    name_of);

}  // namespace
}  // namespace zedge::http1
