// scan_ids() of packet.hpp: finds the top-level "id" without a full parse, so the ZeroMQ
// bridge can route a handler packet by id prefix. A key given twice counts
// by its last value, as in parse(): the worker a packet is routed to must act on these ids.
#include <optional>

#include "json_to_tnetstring.hpp"
#include "tnetstring/tnetstring.hpp"
#include "zhttp/packet.hpp"

namespace zedge::zhttp {
namespace {

namespace tnet = zedge::tnetstring;

bool append_id(const tnet::Value& v, std::vector<std::string_view>& ids) {
  if (v.type != tnet::Type::String || v.payload.size() > kIdMaxBytes) return false;
  ids.push_back(v.payload);
  return true;
}

// The value of the map's last "id" key, if any.
std::optional<tnet::Value> last_id(const tnet::Value& map) {
  tnet::MapReader reader(map);
  std::string_view key;
  tnet::Value v;
  std::optional<tnet::Value> id;
  while (reader.next(key, v)) {
    if (key == "id") id = v;
  }
  return id;
}

// The "id" of one {id, seq} item of the list form.
bool append_item_id(const tnet::Value& item, std::vector<std::string_view>& ids) {
  if (item.type != tnet::Type::Map) return false;
  const std::optional<tnet::Value> id = last_id(item);
  return id && append_id(*id, ids);
}

bool scan_tnetstring(std::string_view tnet, std::vector<std::string_view>& ids) {
  tnet::Value root;
  if (tnet::parse_exact(tnet, root) != tnet::Error::None || root.type != tnet::Type::Map) {
    return false;
  }
  const std::optional<tnet::Value> id = last_id(root);
  if (!id) return false;
  if (id->type != tnet::Type::List) return append_id(*id, ids);
  const std::size_t first = ids.size();
  tnet::ListReader items(*id);
  tnet::Value item;
  while (items.next(item)) {
    if (ids.size() - first == kIdsMax || !append_item_id(item, ids)) return false;
  }
  return items.error() == tnet::Error::None && ids.size() > first;
}

}  // namespace

bool scan_ids(std::string_view frame, std::vector<std::string_view>& ids, std::deque<std::string>& storage) {
  if (frame.empty()) return false;
  const char format = frame.front();
  frame.remove_prefix(1);
  if (format == 'T') return scan_tnetstring(frame, ids);
  if (format != 'J') return false;
  std::string& tnet = storage.emplace_back();
  return detail::json_to_tnetstring(frame, tnet) && scan_tnetstring(tnet, ids);
}

}  // namespace zedge::zhttp
