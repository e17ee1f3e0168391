// What workers and the ZeroMQ bridge say to each other. Frames are complete ZHTTP
// frames ("T" + tnetstring) without any ZeroMQ envelope.
#pragma once

#include <string>

namespace zedge::bridge {

struct ToBridge {
  enum class Route {
    StreamInit,   // first packet of a stream session: PUSH, load-balanced over handlers
    StreamReply,  // later stream packets: ROUTER to the handler identity in `address`
    Req,          // req-mode request: DEALER
  };
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
