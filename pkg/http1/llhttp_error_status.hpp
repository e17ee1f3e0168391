// Which status and message a client gets for each llhttp parse error. Internal.
#pragma once

#include <string_view>

#include "http1/request_parser.hpp"

namespace zedge::http1 {

// `llhttp_errno` is an llhttp_errno_t. llhttp reports a malformed version, an unsupported
// one and a bad line ending after an accepted one all as HPE_INVALID_VERSION, so the
// version digits seen so far and whether llhttp accepted them tell these apart.
RequestError error_from_llhttp(int llhttp_errno, std::string_view version_text, bool version_accepted);

}  // namespace zedge::http1
