#include "bridge/discovered_bases.hpp"

#include <arpa/inet.h>

#include <chrono>

#include "log/log.hpp"

namespace zedge::bridge {
namespace {

constexpr const char* kLog = "bridge";

}  // namespace

bool DiscoveredBases::take(const std::string& base) {
  auto host = dns_host(base);
  if (!host) return false;
  DiscoveryStatus status;
  status.base = base;
  const auto port = static_cast<unsigned>(std::stoul(base.substr(base.rfind(':') + 1)));
  bases_.push_back(Base{*host, port, DiscoveredEndpoints(options_.discovery_grace), std::move(status)});
  return true;
}

// The host of a tcp base that is a DNS name (not an IP literal), when discovery applies.
std::optional<std::string> DiscoveredBases::dns_host(const std::string& base) const {
  if (!options_.connect || options_.discovery_interval.count() == 0 || base.rfind("tcp://", 0) != 0) {
    return std::nullopt;
  }
  const auto colon = base.rfind(':');
  const std::string host = base.substr(6, colon - 6);
  if (host.empty() || host.front() == '[') return std::nullopt;
  in_addr v4{};
  if (::inet_pton(AF_INET, host.c_str(), &v4) == 1 || host == "*") return std::nullopt;
  return host;
}

void DiscoveredBases::start(std::function<void()> wake) {
  std::vector<std::string> names;
  for (const auto& base : bases_) names.push_back(base.host);
  lookups_ =
      std::make_unique<HandlerDiscovery>(std::move(names), options_.discovery_interval, options_.discovery_dns_server,
                                         [this, wake_bridge = std::move(wake)](std::size_t target, DnsAnswer answer) {
                                           {
                                             std::lock_guard lock(inbox_mutex_);
                                             inbox_.emplace_back(target, std::move(answer));
                                           }
                                           wake_bridge();
                                         });
  lookups_->start();
}

void DiscoveredBases::stop() {
  if (lookups_) lookups_->stop();
}

void DiscoveredBases::apply(BridgeSockets& sockets) {
  std::vector<std::pair<std::size_t, DnsAnswer>> answers;
  {
    std::lock_guard lock(inbox_mutex_);
    answers.swap(inbox_);
  }
  const auto now = std::chrono::steady_clock::now();
  for (auto& [target, answer] : answers) {
    if (target >= bases_.size()) continue;
    auto& base = bases_[target];
    if (answer.status == DnsAnswer::Status::Failed) {
      // A lookup that failed says nothing about the handlers: keep what we have.
      ++base.status.lookups_failed;
      base.status.last_error = answer.error;
      LOG_WARN(kLog, "discovery: lookup of " << base.host << " failed: " << answer.error);
      continue;
    }
    ++base.status.lookups_ok;
    base.status.last_success = now;
    base.status.last_error = answer.status == DnsAnswer::Status::NotFound ? answer.error : "";
    apply_changes(sockets, base, base.endpoints.update(answer.addresses, now));
  }
  for (auto& base : bases_) apply_changes(sockets, base, base.endpoints.expire(now));
  if (!answers.empty()) publish();
}

void DiscoveredBases::apply_changes(BridgeSockets& sockets, const Base& base,
                                    const DiscoveredEndpoints::Changes& changes) {
  const auto endpoint = [&base](const std::string& address, unsigned offset) {
    const bool v6 = address.find(':') != std::string::npos;
    return "tcp://" + (v6 ? "[" + address + "]" : address) + ":" + std::to_string(base.port + offset);
  };
  for (const auto& a : changes.connect_push) {
    sockets.push().connect(endpoint(a, 0));
    LOG_INFO(kLog, "discovery: handler " << a << " of " << base.host << " joined");
  }
  for (const auto& a : changes.connect_others) {
    sockets.router().connect(endpoint(a, 1));
    sockets.sub().connect(endpoint(a, 2));
  }
  for (const auto& a : changes.disconnect_push) {
    sockets.push().disconnect(endpoint(a, 0));
    LOG_INFO(kLog, "discovery: handler " << a << " of " << base.host << " left; no new requests go there");
  }
  for (const auto& a : changes.disconnect_others) {
    sockets.router().disconnect(endpoint(a, 1));
    sockets.sub().disconnect(endpoint(a, 2));
  }
}

void DiscoveredBases::publish() {
  std::vector<DiscoveryStatus> statuses;
  for (auto& base : bases_) {
    base.status.addresses = base.endpoints.live();
    base.status.leaving = base.endpoints.leaving();
    statuses.push_back(base.status);
  }
  std::lock_guard lock(published_mutex_);
  published_ = std::move(statuses);
}

std::vector<DiscoveryStatus> DiscoveredBases::status() const {
  std::lock_guard lock(published_mutex_);
  return published_;
}

}  // namespace zedge::bridge
