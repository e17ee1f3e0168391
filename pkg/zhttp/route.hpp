// Which ZeroMQ socket a packet toward a handler leaves by. Sessions choose it; the bridge
// sends by it.
#pragma once

namespace zedge::zhttp {

enum class Route {
  StreamInit,   // first packet of a stream session: PUSH, load-balanced over handlers
  StreamReply,  // later stream packets: ROUTER to the handler identity given as address
  Req,          // req-mode request: DEALER
};

}  // namespace zedge::zhttp
