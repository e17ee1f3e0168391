#include "drain_hook.hpp"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <optional>
#include <string>
#include <thread>

#include "admin_client.hpp"
#include "drain_progress.hpp"

namespace zedge::drain {
namespace {

using Clock = std::chrono::steady_clock;
using Seconds = std::chrono::duration<double>;

constexpr auto kPollInterval = std::chrono::milliseconds(100);
// After the deadline zedge closes what is left and gives closing connections a second;
// a drain still not over a little later will not end by waiting.
constexpr Seconds kAfterDeadline{2.0};
// Until the first /status tells the deadline (POST /drain without --timeout, or a drain
// already running), assume zedge's default --drain-timeout is at most this.
constexpr Seconds kUnknownDeadline{60.0};

int fail(const std::string& why) {
  std::fprintf(stderr, "zedge-drain: %s\n", why.c_str());
  return 1;
}

std::optional<std::string> read_token(const std::string& path, std::string& error) {
  std::ifstream file(path);
  std::string token;
  if (!file || !std::getline(file, token) || token.empty()) {
    error = "cannot read a token from " + path;
    return std::nullopt;
  }
  return token;
}

std::string drain_body(const DrainOptions& options) {
  std::string body = "{\"stop_accepting\": false, \"close_websockets_now\": false, \"exit\": false";
  if (options.timeout_seconds) {
    char number[32];
    std::snprintf(number, sizeof number, "%.3f", *options.timeout_seconds);
    body += ", \"timeout_seconds\": ";
    body += number;
  }
  return body + "}";
}

std::string describe(const DrainProgress& p) {
  return std::to_string(p.connections) + " connection(s) and " + std::to_string(p.listeners_open) +
         " open listener(s) left";
}

Clock::time_point after(Seconds seconds) { return Clock::now() + std::chrono::duration_cast<Clock::duration>(seconds); }

}  // namespace

int run_drain_hook(const DrainOptions& options) {
  std::string token;
  if (!options.token_file.empty()) {
    std::string error;
    auto read = read_token(options.token_file, error);
    if (!read) return fail(error);
    token = *read;
  }
  std::this_thread::sleep_for(Seconds(options.delay_seconds));

  const AdminClient client(options.admin, token);
  const std::string where = to_string(options.admin);
  const Exchange post = client.exchange("POST", "/drain", drain_body(options));
  if (!post.response) return fail("cannot reach zedge's admin API at " + where + ": " + post.error);
  // 202: our drain started; 409: one is running already (the other container's hook, a
  // SIGTERM, an operator), and it is that one we wait for.
  if (post.response->status != 202 && post.response->status != 409) {
    return fail("POST /drain at " + where + " answered " + std::to_string(post.response->status) + ": " +
                error_message(post.response->body));
  }

  auto give_up_at = after(options.timeout_seconds ? Seconds(*options.timeout_seconds) : kUnknownDeadline) +
                    std::chrono::duration_cast<Clock::duration>(kAfterDeadline);
  bool deadline_known = false;
  std::string last_problem = "no answer to GET /status";
  for (;;) {
    const Exchange status = client.exchange("GET", "/status", "");
    // zedge exited (a SIGTERM during the drain, or a drain started with exit): over.
    if (status.refused) return 0;
    if (status.response && status.response->status == 200) {
      std::string error;
      if (auto progress = parse_drain_progress(status.response->body, error)) {
        if (!progress->started) return fail("the drain was cancelled (POST /drain/cancel)");
        if (progress->over()) return 0;
        if (!deadline_known) {
          give_up_at = after(Seconds(progress->deadline_seconds_left) + kAfterDeadline);
          deadline_known = true;
        }
        last_problem = describe(*progress);
      } else {
        last_problem = error;
      }
    } else {
      last_problem = status.response ? "GET /status answered " + std::to_string(status.response->status)
                                     : "GET /status: " + status.error;
    }
    if (Clock::now() >= give_up_at) return fail("drain not over 2 s after its deadline: " + last_problem);
    std::this_thread::sleep_for(kPollInterval);
  }
}

}  // namespace zedge::drain
