#include "bridge/dns_lookup.hpp"

#include <ares.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/select.h>

#include <algorithm>
#include <mutex>

namespace zedge::bridge {
namespace {

struct Lookup {
  bool done = false;
  DnsAnswer answer;
};

void on_addrinfo(void* arg, int status, int /*timeouts*/, ares_addrinfo* result) {
  auto& lookup = *static_cast<Lookup*>(arg);
  lookup.done = true;
  if (status == ARES_ENOTFOUND || status == ARES_ENODATA) {
    // The name has no records: for a headless Service, no ready pods.
    lookup.answer.status = DnsAnswer::Status::NotFound;
    lookup.answer.error = ares_strerror(status);
  } else if (status != ARES_SUCCESS) {
    lookup.answer.status = DnsAnswer::Status::Failed;
    lookup.answer.error = ares_strerror(status);
  } else {
    lookup.answer.status = DnsAnswer::Status::Ok;
    for (const ares_addrinfo_node* node = result->nodes; node != nullptr; node = node->ai_next) {
      char text[INET6_ADDRSTRLEN] = {};
      if (node->ai_family == AF_INET) {
        ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(node->ai_addr)->sin_addr, text, sizeof text);
      } else if (node->ai_family == AF_INET6) {
        ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(node->ai_addr)->sin6_addr, text, sizeof text);
      } else {
        continue;
      }
      lookup.answer.addresses.emplace_back(text);
    }
    auto& a = lookup.answer.addresses;
    std::sort(a.begin(), a.end());
    a.erase(std::unique(a.begin(), a.end()), a.end());
  }
  if (result != nullptr) ares_freeaddrinfo(result);
}

}  // namespace

DnsAnswer dns_lookup(const std::string& name, const std::string& server, std::chrono::milliseconds timeout) {
  static std::once_flag library_init;
  std::call_once(library_init, [] { ares_library_init(ARES_LIB_INIT_ALL); });

  ares_channel channel = nullptr;
  ares_options options{};
  options.timeout = static_cast<int>(std::max<std::int64_t>(100, timeout.count() / 2));
  options.tries = 2;
  if (ares_init_options(&channel, &options, ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES) != ARES_SUCCESS) {
    return DnsAnswer{DnsAnswer::Status::Failed, {}, "c-ares could not start"};
  }
  if (!server.empty() && ares_set_servers_ports_csv(channel, server.c_str()) != ARES_SUCCESS) {
    ares_destroy(channel);
    return DnsAnswer{DnsAnswer::Status::Failed, {}, "bad DNS server " + server};
  }
  Lookup lookup;
  ares_addrinfo_hints hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  ares_getaddrinfo(channel, name.c_str(), nullptr, &hints, on_addrinfo, &lookup);

  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!lookup.done && std::chrono::steady_clock::now() < deadline) {
    fd_set readers;
    fd_set writers;
    FD_ZERO(&readers);
    FD_ZERO(&writers);
    const int nfds = ares_fds(channel, &readers, &writers);
    if (nfds == 0) break;
    timeval wait{0, 100 * 1000};
    timeval* tv = ares_timeout(channel, &wait, &wait);
    ::select(nfds, &readers, &writers, nullptr, tv);
    ares_process(channel, &readers, &writers);
  }
  ares_destroy(channel);  // calls the callback with ARES_EDESTRUCTION if still pending
  if (!lookup.done || lookup.answer.error == ares_strerror(ARES_EDESTRUCTION)) {
    return DnsAnswer{DnsAnswer::Status::Failed, {}, "DNS lookup timed out"};
  }
  return std::move(lookup.answer);
}

}  // namespace zedge::bridge
