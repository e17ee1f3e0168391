// The discovery thread (gateway mode): looks up each tcp base's DNS name every
// interval and reports the answers; the bridge applies them to its sockets. Lookups may
// wait on the network, so they run here, never on the bridge or a worker.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bridge/dns_lookup.hpp"

namespace zedge::bridge {

class HandlerDiscovery {
 public:
  using Report = std::function<void(std::size_t target, DnsAnswer answer)>;

  // `names[i]` is looked up and reported as target i.
  HandlerDiscovery(std::vector<std::string> names, std::chrono::milliseconds interval, std::string dns_server,
                   Report report);
  ~HandlerDiscovery();
  HandlerDiscovery(const HandlerDiscovery&) = delete;
  HandlerDiscovery& operator=(const HandlerDiscovery&) = delete;

  void start();
  void stop();

 private:
  void run();

  std::vector<std::string> names_;
  std::chrono::milliseconds interval_;
  std::string dns_server_;
  Report report_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace zedge::bridge
