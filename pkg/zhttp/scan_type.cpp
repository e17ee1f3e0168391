#include "tnetstring/tnetstring.hpp"
#include "zhttp/packet.hpp"

namespace zedge::zhttp {

// Walks the top-level keys only until `type` or a key encode() writes after it, so no
// value is decoded and client bytes in a body can never be mistaken for the field.
PacketType scan_type(std::string_view frame) {
  if (frame.empty() || frame.front() != 'T') return PacketType::Data;
  tnetstring::Value root;
  if (tnetstring::parse(frame.substr(1), root) != tnetstring::Error::None || root.type != tnetstring::Type::Map) {
    return PacketType::Data;
  }
  tnetstring::MapReader reader(root);
  std::string_view key;
  tnetstring::Value value;
  while (reader.next(key, value)) {
    if (key == "type") {
      std::string_view name;
      if (value.as_string(name) != tnetstring::Error::None) return PacketType::Data;
      return type_from_name(name).value_or(PacketType::Data);
    }
    if (key != "from" && key != "id" && key != "seq" && key != "ext") break;  // past where type goes
  }
  return PacketType::Data;
}

}  // namespace zedge::zhttp
