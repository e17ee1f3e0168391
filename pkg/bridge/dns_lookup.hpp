// One DNS lookup of every A and AAAA record of a name, with c-ares (an asynchronous
// resolver rather than getaddrinfo, which cannot be bounded in time). Called on the
// discovery thread, never on a worker or the bridge; it waits at most `timeout`.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace zedge::bridge {

struct DnsAnswer {
  enum class Status { Ok, NotFound, Failed };
  Status status = Status::Failed;
  std::vector<std::string> addresses;  // IP text, sorted, no duplicates (Ok only)
  std::string error;                   // NotFound and Failed
};

// `server`: "ip:port" of the DNS server to ask, or empty for the system's (resolv.conf).
DnsAnswer dns_lookup(const std::string& name, const std::string& server, std::chrono::milliseconds timeout);

}  // namespace zedge::bridge
