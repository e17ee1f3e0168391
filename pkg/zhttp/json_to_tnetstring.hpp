// "J" frames (JSON, as Zurl accepts) are converted to the equivalent
// tnetstring once, so one parser interprets both formats. Private to zedge_zhttp.
#pragma once

#include <string>
#include <string_view>

namespace zedge::zhttp::detail {

// Appends the tnetstring form of one JSON document to `out`. Objects become maps,
// arrays lists, strings strings (escapes decoded), integers that fit int64 integers,
// other numbers floats. Returns false for invalid JSON, invalid UTF-8, trailing
// bytes, integers beyond int64, or nesting deeper than tnetstring::kMaxDepth.
bool json_to_tnetstring(std::string_view json, std::string& out);

}  // namespace zedge::zhttp::detail
