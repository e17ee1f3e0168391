// What workers and the ZeroMQ bridge say to each other. Frames are complete ZHTTP
// frames ("T" + tnetstring) without any ZeroMQ envelope.
#pragma once

#include <string>

#include "zhttp/route.hpp"

namespace zedge::bridge {

struct ToBridge {
  using Route = zhttp::Route;
  Route route = Route::StreamInit;
  std::string address;
  std::string frame;
};

struct ToWorker {
  enum class Source {
    Stream,      // a handler's packet, from SUB or ROUTER
    Req,         // a req-mode reply, from DEALER
    Unroutable,  // one of our own packets the ROUTER could not deliver to `frame`'s handler
  };
  Source source = Source::Stream;
  std::string frame;
  std::string unroutable_address;  // Unroutable: the handler identity that is gone
};

}  // namespace zedge::bridge
