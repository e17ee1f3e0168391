#include "bridge/handler_discovery.hpp"

#include <algorithm>

namespace zedge::bridge {

HandlerDiscovery::HandlerDiscovery(std::vector<std::string> names, std::chrono::milliseconds interval,
                                   std::string dns_server, Report report)
    : names_(std::move(names)), interval_(interval), dns_server_(std::move(dns_server)), report_(std::move(report)) {}

HandlerDiscovery::~HandlerDiscovery() { stop(); }

void HandlerDiscovery::start() {
  thread_ = std::thread([this] { run(); });
}

void HandlerDiscovery::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void HandlerDiscovery::run() {
  // A lookup never takes longer than the interval (nor 5 s), so answers stay fresh.
  const auto timeout = std::min<std::chrono::milliseconds>(interval_, std::chrono::seconds(5));
  for (;;) {
    for (std::size_t i = 0; i < names_.size(); ++i) {
      auto answer = dns_lookup(names_[i], dns_server_, timeout);
      {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
      }
      report_(i, std::move(answer));
    }
    std::unique_lock lock(mutex_);
    if (wake_.wait_for(lock, interval_, [this] { return stopping_; })) return;
  }
}

}  // namespace zedge::bridge
