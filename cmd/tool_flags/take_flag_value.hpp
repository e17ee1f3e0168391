// Flag reading shared by the small tools (hello handler, WebSocket load generator, drain
// hook): they take a few "--name value" / "--name=value" options and need no more.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace zedge::tools {

// When argv[i] is flag `name`, stores its value (the next argument, or what follows '=')
// and returns true, advancing `i` past what it consumed; a missing value sets `error`.
// False when argv[i] is another flag.
inline bool take_flag_value(int argc, char** argv, int& i, std::string_view name, std::string& value,
                            std::optional<std::string>& error) {
  const std::string_view arg = argv[i];
  if (arg == name) {
    if (i + 1 >= argc) {
      error = std::string(name) + " needs a value";
      return true;
    }
    value = argv[++i];
    return true;
  }
  if (arg.starts_with(name) && arg.size() > name.size() && arg[name.size()] == '=') {
    value = std::string(arg.substr(name.size() + 1));
    return true;
  }
  return false;
}

}  // namespace zedge::tools
