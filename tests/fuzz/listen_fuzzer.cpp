// Command line (pkg/config): `--listen` values, and whole argument vectors. Checks: a value
// parse_listen() accepts is written back by ListenSpec::to_string() as a value that parses to
// the same listener; parse_args() never crashes and gives Condure's exit codes.
// Input: a flags byte; bit 0 set: the rest is argv split at NUL bytes, else one --listen value.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "fuzz_input.hpp"

namespace {

void listen_value(const std::string& value) {
  zedge::config::ListenSpec spec;
  spec.port = 4321;  // parse_listen leaves `out` alone on failure
  if (const auto error = zedge::config::parse_listen(value, spec)) {
    // (The message quotes the bad part as given, newlines and all: it is the user's own text.)
    FUZZ_CHECK(error->starts_with("failed to parse listen: "));
    FUZZ_CHECK(spec.port == 4321 && spec.address.empty());
    return;
  }
  const std::string text = spec.to_string();
  zedge::config::ListenSpec again;
  FUZZ_CHECK(!zedge::config::parse_listen(text, again).has_value());
  FUZZ_CHECK(again.to_string() == text);
}

void argument_vector(std::string_view rest) {
  std::vector<std::string> args{"zedge"};
  while (true) {
    const auto nul = rest.find('\0');
    args.emplace_back(rest.substr(0, nul));
    if (nul == std::string_view::npos) break;
    rest.remove_prefix(nul + 1);
  }
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  argv.push_back(nullptr);
  const auto result = zedge::config::parse_args(static_cast<int>(args.size()), argv.data());
  using Action = zedge::config::ParseResult::Action;
  if (result.action == Action::Error) {
    FUZZ_CHECK(result.exit_code == 1 || result.exit_code == 2);
    FUZZ_CHECK(!result.message.empty());
  } else {
    FUZZ_CHECK(result.exit_code == 0);
  }
  if (result.action == Action::Run) {
    for (const auto& listen : result.config.listens) listen_value(listen.to_string());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  zedge::fuzz::FuzzInput in(data, size);
  const std::uint8_t flags = in.byte();
  if ((flags & 1) != 0) {
    argument_vector(in.rest());
  } else {
    listen_value(std::string(in.rest()));
  }
  return 0;
}
