// encode() of packet.hpp. The field order is Condure's (src/zhttppacket.rs serialize,
// and confirmed byte for byte against captures of condure 1.9.1, see
// tests/pkg/zhttp/condure_golden_test.cpp), so handlers cannot tell zedge from Condure.
#include "tnetstring/tnetstring.hpp"
#include "zhttp/packet.hpp"

namespace zedge::zhttp {
namespace {

namespace tnet = zedge::tnetstring;

void write_string_field(tnet::Writer& w, std::string_view key, std::string_view value) {
  if (value.empty()) return;
  w.string(key);
  w.string(value);
}

void write_count_field(tnet::Writer& w, std::string_view key, const std::optional<std::int64_t>& value) {
  if (!value) return;
  w.string(key);
  w.integer(*value);
}

void write_true_field(tnet::Writer& w, std::string_view key, bool value) {
  if (!value) return;
  w.string(key);
  w.boolean(true);
}

// Single id: "id" string then a top-level "seq". Several: a list of {id, seq} maps,
// each with its own seq.
void write_ids(tnet::Writer& w, const Packet& p) {
  if (p.ids.empty()) return;
  w.string("id");
  if (p.ids.size() == 1 && !p.id_is_list) {
    w.string(p.ids.front().id);
    write_count_field(w, "seq", p.ids.front().seq);
    return;
  }
  w.begin_list();
  for (const IdSeq& id : p.ids) {
    w.begin_map();
    w.string("id");
    w.string(id.id);
    write_count_field(w, "seq", id.seq);
    w.end_map();
  }
  w.end_list();
}

void write_headers(tnet::Writer& w, const Packet& p) {
  if (p.headers.empty()) return;
  w.string("headers");
  w.begin_list();
  for (const Header& h : p.headers) {
    w.begin_list();
    w.string(h.name);
    w.string(h.value);
    w.end_list();
  }
  w.end_list();
}

}  // namespace

void encode(const Packet& p, std::string& out) {
  out.push_back('T');
  tnet::Writer w(out);
  w.begin_map();
  write_string_field(w, "from", p.from);
  write_ids(w, p);
  if (p.ext_multi) {
    w.string("ext");
    w.begin_map();
    w.string("multi");
    w.boolean(true);
    w.end_map();
  }
  write_string_field(w, "type", type_name(p.type));
  write_string_field(w, "condition", p.condition);
  write_string_field(w, "method", p.method);
  write_string_field(w, "uri", p.uri);
  write_count_field(w, "code", p.code);
  write_string_field(w, "reason", p.reason);
  write_headers(w, p);
  write_string_field(w, "content-type", p.content_type);
  write_string_field(w, "body", p.body);
  write_count_field(w, "credits", p.credits);
  write_true_field(w, "more", p.more);
  write_true_field(w, "stream", p.stream);
  if (p.peer_address) {
    w.string("peer-address");
    w.string(*p.peer_address);
  }
  write_count_field(w, "peer-port", p.peer_port);
  w.end_map();
}

std::string encode(const Packet& p) {
  std::string out;
  encode(p, out);
  return out;
}

}  // namespace zedge::zhttp
