// Malformed and ambiguous requests: each one gets an error status, and no input here ever
// yields a second request (the smuggled "GET /smuggled" appended to every case).
// RFC 9112 §2.2 (line endings), §3 (request line), §5 (fields), §6 (framing), §7 (chunks).
#include <gtest/gtest.h>

#include <string>

#include "http1/request_parser.hpp"
#include "parser_transcript.hpp"

namespace zedge::http1 {
namespace {

using testing::bytes;

struct BadRequest {
  const char* name;
  std::string input;
  int status;
};

void PrintTo(const BadRequest& c, std::ostream* os) { *os << c.name; }

const std::string kSmuggled = "GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n";

class RefusedRequest : public ::testing::TestWithParam<BadRequest> {};

TEST_P(RefusedRequest, GetsItsStatusAndNeverASecondRequest) {
  const auto& c = GetParam();
  const std::string in = c.input + kSmuggled;
  for (const auto& t : {testing::drive_whole(in), testing::drive_bytewise(in)}) {
    EXPECT_EQ(t.error_status, c.status) << t.text;
    EXPECT_LE(t.targets.size(), 1u) << t.text;
    for (const auto& target : t.targets) EXPECT_NE(target, "/smuggled") << t.text;
  }
}

std::string name_of(const ::testing::TestParamInfo<BadRequest>& info) { return info.param.name; }

// Request smuggling classics: two framings, or a framing that some hop reads differently.
INSTANTIATE_TEST_SUITE_P(
    Framing, RefusedRequest,
    ::testing::Values(
        BadRequest{"CL_TE",
                   "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n"
                   "0\r\n\r\n",
                   400},
        BadRequest{"TE_CL",
                   "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 6\r\n\r\n"
                   "0\r\n\r\n",
                   400},
        BadRequest{"CL_zero_with_TE",
                   "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n"
                   "0\r\n\r\n",
                   400},
        BadRequest{"TE_unknown_coding_xchunked",
                   "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n", 501},
        BadRequest{"TE_gzip", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 501},
        BadRequest{"TE_gzip_then_chunked",
                   "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501},
        BadRequest{"TE_identity", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\n", 501},
        BadRequest{"TE_chunked_then_identity",
                   "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n", 400},
        BadRequest{"TE_chunked_then_identity_in_two_fields",
                   "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n"
                   "0\r\n\r\n",
                   400},
        BadRequest{"TE_chunked_twice",
                   "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"
                   "0\r\n\r\n",
                   400},
        BadRequest{"TE_chunked_with_parameter",
                   "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked;x=1\r\n\r\n0\r\n\r\n", 400},
        BadRequest{"TE_quoted", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \"chunked\"\r\n\r\n0\r\n\r\n", 400},
        BadRequest{"TE_empty", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \r\n\r\n0\r\n\r\n", 400},
        BadRequest{"TE_only_commas", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: ,\r\n\r\n0\r\n\r\n", 400},
        BadRequest{"TE_space_before_colon",
                   "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n", 400},
        BadRequest{"TE_leading_space_on_first_line",
                   "POST / HTTP/1.1\r\n Transfer-Encoding: chunked\r\nHost: a\r\n\r\n0\r\n\r\n", 400},
        BadRequest{"TE_folded_into_previous_field",
                   "POST / HTTP/1.1\r\nHost: a\r\nX: y\r\n Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400},
        BadRequest{"TE_value_folded", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n",
                   400},
        BadRequest{"TE_vertical_tab",
                   "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \x0b"
                   "chunked\r\n\r\n0\r\n\r\n",
                   400},
        BadRequest{"TE_nul_in_name",
                   bytes("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding\0: chunked\r\n\r\n0\r\n\r\n"), 400},
        BadRequest{"CL_duplicate_identical",
                   "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello", 400},
        BadRequest{"CL_duplicate_different",
                   "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", 400},
        BadRequest{"CL_list", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\nhello", 400},
        BadRequest{"CL_negative", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400},
        BadRequest{"CL_plus_sign", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\nhello", 400},
        BadRequest{"CL_hex", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x5\r\n\r\nhello", 400},
        BadRequest{"CL_not_a_number", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n", 400},
        BadRequest{"CL_empty", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \r\n\r\n", 400},
        BadRequest{"CL_two_numbers", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1 2\r\n\r\n", 400},
        BadRequest{"CL_overflows_64_bits",
                   "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n", 400},
        BadRequest{"CL_above_int64", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9223372036854775808\r\n\r\n", 400}),
    name_of);

const std::string kChunkedHead = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";

INSTANTIATE_TEST_SUITE_P(
    Chunks, RefusedRequest,
    ::testing::Values(
        BadRequest{"chunk_size_negative", kChunkedHead + "-5\r\nhello\r\n0\r\n\r\n", 400},
        BadRequest{"chunk_size_0x_prefix", kChunkedHead + "0x5\r\nhello\r\n0\r\n\r\n", 400},
        BadRequest{"chunk_size_empty", kChunkedHead + "\r\nhello\r\n0\r\n\r\n", 400},
        BadRequest{"chunk_size_trailing_space", kChunkedHead + "5 \r\nhello\r\n0\r\n\r\n", 400},
        BadRequest{"chunk_size_overflows_64_bits", kChunkedHead + "10000000000000000\r\nhello\r\n0\r\n\r\n", 400},
        BadRequest{"chunk_size_above_int64", kChunkedHead + "8000000000000000\r\nhello\r\n0\r\n\r\n", 400},
        BadRequest{"chunk_size_bare_lf", kChunkedHead + "5\nhello\r\n0\r\n\r\n", 400},
        BadRequest{"chunk_size_bare_cr", kChunkedHead + "5\rhello\r\n0\r\n\r\n", 400},
        BadRequest{"chunk_data_longer_than_size", kChunkedHead + "3\r\nhello\r\n0\r\n\r\n", 400},
        BadRequest{"chunk_data_bare_lf", kChunkedHead + "5\r\nhello\n0\r\n\r\n", 400},
        BadRequest{"chunk_data_no_crlf", kChunkedHead + "5\r\nhello0\r\n\r\n", 400},
        BadRequest{"last_chunk_bare_lf_end", kChunkedHead + "5\r\nhello\r\n0\r\n\n", 400},
        BadRequest{"trailer_bare_lf", kChunkedHead + "0\r\nX-T: 1\n\r\n", 400},
        BadRequest{"trailer_bare_cr", kChunkedHead + "0\r\nX-T: 1\rX-U: 2\r\n\r\n", 400},
        BadRequest{"trailer_obs_fold", kChunkedHead + "0\r\nX-T: 1\r\n 2\r\n\r\n", 400},
        BadRequest{"trailer_blank_line_bare_cr", kChunkedHead + "0\r\n\rX", 400},
        BadRequest{"chunk_extension_bare_lf", kChunkedHead + "5;a=b\nhello\r\n0\r\n\r\n", 400}),
    name_of);

INSTANTIATE_TEST_SUITE_P(
    Lines, RefusedRequest,
    ::testing::Values(BadRequest{"obs_fold_space", "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n", 400},
                      BadRequest{"obs_fold_tab", "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n\tb\r\n\r\n", 400},
                      BadRequest{"space_before_first_field", "GET / HTTP/1.1\r\n Host: a\r\n\r\n", 400},
                      BadRequest{"bare_cr_between_fields", "GET / HTTP/1.1\r\nHost: a\rX-Bare-CR: 1\r\n\r\n", 400},
                      BadRequest{"bare_cr_in_value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n", 400},
                      BadRequest{"bare_cr_after_request_line", "GET / HTTP/1.1\rHost: a\r\n\r\n", 400},
                      BadRequest{"bare_cr_in_blank_line", "GET / HTTP/1.1\r\nHost: a\r\n\r\r\n", 400},
                      BadRequest{"bare_cr_before_request", "\rGET / HTTP/1.1\r\nHost: a\r\n\r\n", 400},
                      BadRequest{"bare_lf_after_request_line", "GET / HTTP/1.1\nHost: a\r\n\r\n", 400},
                      BadRequest{"bare_lf_after_field", "GET / HTTP/1.1\r\nHost: a\n\r\n", 400},
                      BadRequest{"bare_lf_blank_line", "GET / HTTP/1.1\r\nHost: a\r\n\n", 400},
                      BadRequest{"bare_lf_everywhere", "GET / HTTP/1.1\nHost: a\n\n", 400},
                      BadRequest{"bare_lf_before_request", "\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", 400},
                      BadRequest{"nul_in_value", bytes("GET / HTTP/1.1\r\nHost: a\r\nX: a\0b\r\n\r\n"), 400},
                      BadRequest{"nul_in_name", bytes("GET / HTTP/1.1\r\nHost: a\r\nX\0Y: a\r\n\r\n"), 400},
                      BadRequest{"nul_in_target", bytes("GET /a\0b HTTP/1.1\r\nHost: a\r\n\r\n"), 400},
                      BadRequest{"nul_in_method", bytes("G\0ET / HTTP/1.1\r\nHost: a\r\n\r\n"), 400},
                      BadRequest{"control_char_in_value",
                                 "GET / HTTP/1.1\r\nHost: a\r\nX: a\x01"
                                 "b\r\n\r\n",
                                 400},
                      BadRequest{"del_in_value",
                                 "GET / HTTP/1.1\r\nHost: a\r\nX: a\x7f"
                                 "b\r\n\r\n",
                                 400},
                      BadRequest{"space_in_name", "GET / HTTP/1.1\r\nHost: a\r\nX Y: a\r\n\r\n", 400},
                      BadRequest{"parenthesis_in_name", "GET / HTTP/1.1\r\nHost: a\r\nX(: a\r\n\r\n", 400},
                      BadRequest{"quote_in_name", "GET / HTTP/1.1\r\nHost: a\r\nX\"Y: a\r\n\r\n", 400},
                      BadRequest{"empty_name", "GET / HTTP/1.1\r\nHost: a\r\n: a\r\n\r\n", 400},
                      BadRequest{"no_colon", "GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", 400},
                      BadRequest{"high_byte_in_name", "GET / HTTP/1.1\r\nHost: a\r\nX\xc3\xa9: a\r\n\r\n", 400}),
    name_of);

INSTANTIATE_TEST_SUITE_P(
    RequestLine, RefusedRequest,
    ::testing::Values(BadRequest{"garbage", "GARBAGE\r\n\r\n", 400},
                      BadRequest{"unknown_method", "FOO / HTTP/1.1\r\nHost: a\r\n\r\n", 400},
                      BadRequest{"lowercase_method", "get / HTTP/1.1\r\nHost: a\r\n\r\n", 400},
                      BadRequest{"tls_client_hello", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 400},
                      BadRequest{"double_space_after_method", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400},
                      BadRequest{"double_space_before_version", "GET /  HTTP/1.1\r\nHost: a\r\n\r\n", 400},
                      BadRequest{"tab_separator", "GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", 400},
                      BadRequest{"tab_in_target", "GET /a\tb HTTP/1.1\r\nHost: a\r\n\r\n", 400},
                      BadRequest{"space_after_version", "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400},
                      BadRequest{"lowercase_protocol", "GET / http/1.1\r\nHost: a\r\n\r\n", 400},
                      BadRequest{"no_version", "GET /\r\n\r\n", 400},
                      BadRequest{"malformed_minor", "GET / HTTP/1.x\r\nHost: a\r\n\r\n", 400},
                      BadRequest{"two_digit_major", "GET / HTTP/11.1\r\nHost: a\r\n\r\n", 400},
                      BadRequest{"high_byte_in_target", "GET /caf\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n", 400},
                      BadRequest{"version_1_2", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", 505},
                      BadRequest{"version_2_0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505},
                      BadRequest{"version_3_0", "GET / HTTP/3.0\r\nHost: example.com\r\n\r\n", 505},
                      BadRequest{"version_0_9", "GET / HTTP/0.9\r\n\r\n", 505},
                      BadRequest{"http2_preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505},
                      BadRequest{"connect", "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n", 501},
                      BadRequest{"http11_without_host", "GET / HTTP/1.1\r\n\r\n", 400},
                      BadRequest{"two_hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
                      BadRequest{"two_hosts_http10", "GET / HTTP/1.0\r\nHost: a\r\nhost: b\r\n\r\n", 400}),
    name_of);

TEST(RefusedRequestAfterAGoodOne, SecondRequestErrorComesAfterTheFirstCompletes) {
  const auto t = testing::drive_whole(
      "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
      "GET /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n");
  EXPECT_EQ(t.targets, (std::vector<std::string>{"/1"}));
  EXPECT_EQ(t.error_status, 400);
}

}  // namespace
}  // namespace zedge::http1
