// One HTTP/1.1 request to zedge's admin API over a plain socket (Connection: close), with
// timeouts; no name lookup, no TLS.
#pragma once

#include <optional>
#include <string>

#include "drain_options.hpp"
#include "http_response.hpp"

namespace zedge::drain {

struct Exchange {
  std::optional<HttpResponse> response;  // set when a whole response came back
  bool refused = false;                  // nothing listens there (zedge is not running)
  std::string error;                     // why there is no response
};

class AdminClient {
 public:
  // `token` empty: no Authorization header.
  AdminClient(AdminEndpoint endpoint, std::string token);

  // `body` non-empty: sent as application/json.
  Exchange exchange(const char* method, const char* path, const std::string& body) const;

 private:
  AdminEndpoint endpoint_;
  std::string token_;
};

}  // namespace zedge::drain
