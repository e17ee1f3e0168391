// UTF-8 validity check for the ZHTTP text fields Condure requires to be UTF-8
// (type, condition, reason, header names, close reasons, map keys; reference §1.1).
// Private to zedge_zhttp.
#pragma once

#include <string_view>

namespace zedge::zhttp::detail {

// True if `s` is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates,
// nothing above U+10FFFF).
bool is_valid_utf8(std::string_view s);

}  // namespace zedge::zhttp::detail
