// zedge-ws-load: WebSocket echo load for the benchmark (tests/bench/README.md). Parses
// flags, runs the load threads in step (all set up, then all load from one start time),
// and prints one JSON line.
#include <sys/resource.h>
#include <unistd.h>

#include <barrier>
#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "load_counters.hpp"
#include "load_options.hpp"
#include "load_thread.hpp"

namespace {

using zedge::wsload::Clock;
using zedge::wsload::LoadCounters;
using zedge::wsload::LoadOptions;

constexpr double kNsPerUs = 1000.0;
// Backstop past setup + load: the timers end every phase, but if the process is still
// alive this long after, SIGALRM's default action ends it (the caller sees a failure).
constexpr double kWatchdogMarginS = 10.0;

double cpu_seconds_self() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
      out += escaped;
    } else {
      out.push_back(c);
    }
  }
  return out + "\"";
}

std::string report_json(const LoadOptions& o, const LoadCounters& c, double seconds, double load_cpu_s,
                        double total_cpu_s) {
  std::ostringstream j;
  j.precision(10);
  const auto us = [&](double ns) { return ns / kNsPerUs; };
  j << "{\"connections\":" << o.connections << ",\"threads\":" << o.threads << ",\"message_bytes\":" << o.message_bytes
    << ",\"duration_s\":" << seconds << ",\"ready\":" << c.ready << ",\"messages\":" << c.messages
    << ",\"messages_per_s\":" << (seconds > 0 ? static_cast<double>(c.messages) / seconds : 0.0) << ",\"errors\":{";
  for (std::size_t i = 0; i < zedge::wsload::kLoadErrorKinds; ++i) {
    j << (i ? "," : "") << '"' << zedge::wsload::load_error_name(static_cast<zedge::wsload::LoadError>(i))
      << "\":" << c.errors[i];
  }
  j << "},\"handshake_status\":{";
  bool first = true;
  for (const auto& [status, n] : c.handshake_status) {
    j << (first ? "" : ",") << '"' << status << "\":" << n;
    first = false;
  }
  const bool any = c.latency.count() != 0;
  j << "},\"latency_us\":{\"p50\":" << us(static_cast<double>(c.latency.percentile_ns(50)))
    << ",\"p90\":" << us(static_cast<double>(c.latency.percentile_ns(90)))
    << ",\"p99\":" << us(static_cast<double>(c.latency.percentile_ns(99)))
    << ",\"max\":" << us(static_cast<double>(c.latency.max_ns())) << ",\"mean\":" << us(c.latency.mean_ns())
    << "},\"connection_messages\":{\"min\":" << (c.ready ? c.min_connection_messages : 0)
    << ",\"max\":" << c.max_connection_messages << "},\"cpu_s\":{\"load\":" << load_cpu_s
    << ",\"total\":" << total_cpu_s << "},\"first_error\":" << json_string(c.first_error)
    << ",\"latency_valid\":" << (any ? "true" : "false") << "}";
  return j.str();
}

struct LoadRun {
  LoadCounters total;
  double seconds = 0;      // the load window, as the threads ran it
  double load_cpu_s = 0;   // this process over the load window
  double total_cpu_s = 0;  // this process in all
};

// Every thread sets up its connections; when all are done (the barrier), one start time
// is taken and all load until the same end; none loads when no connection is ready.
LoadRun run_in_step(const LoadOptions& options,
                    const std::vector<std::unique_ptr<zedge::wsload::LoadThread>>& threads) {
  Clock::time_point start{};
  Clock::time_point end{};
  double cpu_at_start = 0;
  const auto duration = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options.duration_s));
  auto begin_load = [&]() noexcept {
    std::uint64_t ready = 0;
    for (const auto& t : threads) ready += t->counters().ready;
    start = Clock::now();
    end = ready != 0 ? start + duration : start;
    cpu_at_start = cpu_seconds_self();
  };
  std::barrier step(static_cast<std::ptrdiff_t>(threads.size()), begin_load);

  std::vector<std::thread> workers;
  for (const auto& t : threads) {
    workers.emplace_back([&step, &end, thread = t.get()] {
      thread->run_setup();
      step.arrive_and_wait();
      thread->run_load(end);
    });
  }
  for (auto& w : workers) w.join();

  LoadRun run;
  Clock::time_point stopped = start;
  for (const auto& t : threads) {
    run.total.merge(t->counters());
    stopped = std::max(stopped, t->stopped_at());
  }
  run.seconds = std::chrono::duration<double>(stopped - start).count();
  run.total_cpu_s = cpu_seconds_self();
  run.load_cpu_s = run.total_cpu_s - cpu_at_start;
  return run;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace zedge::wsload;
  constexpr int kExitUsage = 2;
  constexpr int kExitFailure = 1;

  LoadOptions options;
  if (auto error = parse_options(argc, argv, options)) {
    std::cerr << "zedge-ws-load: " << *error << "\n\n" << usage_text();
    return kExitUsage;
  }
  if (options.help) {
    std::cout << usage_text();
    return 0;
  }

  alarm(static_cast<unsigned>(options.connect_timeout_s + options.duration_s + kWatchdogMarginS));

  // Printable ASCII, so the text message is valid UTF-8 (RFC 6455 §5.6).
  std::string payload(options.message_bytes, 'x');
  for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>('a' + i % 26);

  std::vector<std::unique_ptr<LoadThread>> threads;
  try {
    for (std::size_t t = 0; t < options.threads; ++t) {
      const std::size_t share =
          options.connections / options.threads + (t < options.connections % options.threads ? 1 : 0);
      threads.push_back(std::make_unique<LoadThread>(options, payload, share, 0x9E3779B97F4A7C15ULL * (t + 1)));
    }
  } catch (const std::exception& e) {
    std::cerr << "zedge-ws-load: " << e.what() << "\n";
    return kExitFailure;
  }
  const LoadRun run = run_in_step(options, threads);
  std::cout << report_json(options, run.total, run.seconds, run.load_cpu_s, run.total_cpu_s) << std::endl;
  return 0;
}
