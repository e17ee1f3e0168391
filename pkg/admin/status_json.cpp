#include "admin/status_json.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <utility>

#include "utf8/utf8_validator.hpp"

namespace zedge::admin {

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

// Handler addresses are ZeroMQ identities, which may be any bytes; JSON strings must be
// UTF-8, so bytes of an invalid address are written as \xNN text.
void string(Writer& w, std::string_view s) {
  if (utf8::is_valid(s)) {
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
    return;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text;
  for (char c : s) {
    const auto b = static_cast<unsigned char>(c);
    if (b >= 0x20 && b < 0x80) {
      text += c;
    } else {
      text += "\\x";
      text += kHex[b >> 4];
      text += kHex[b & 0xf];
    }
  }
  w.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

// RapidJSON writes nothing for NaN or infinity, which would leave the document broken.
void number(Writer& w, double v) { w.Double(std::isfinite(v) ? v : 0.0); }

void key(Writer& w, std::string_view k) { w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size())); }

// An object of counters: {"name": n, ...} in the order given.
void counters(Writer& w, std::initializer_list<std::pair<std::string_view, std::uint64_t>> fields) {
  w.StartObject();
  for (const auto& [name, n] : fields) {
    key(w, name);
    w.Uint64(n);
  }
  w.EndObject();
}

void counts(Writer& w, const ConnectionCounts& c) {
  w.StartObject();
  key(w, "total");
  w.Uint64(c.total());
  key(w, "by_protocol");
  counters(w, {{"http", c.http}, {"websocket", c.websocket}});
  key(w, "by_mode");
  counters(w, {{"stream", c.stream_mode}, {"req", c.req_mode}});
  key(w, "by_state");
  counters(w, {{"idle", c.idle}, {"active", c.active}, {"websocket", c.websocket}, {"lingering", c.lingering}});
  w.EndObject();
}

void workers(Writer& w, const StatusSnapshot& s) {
  w.StartArray();
  for (const auto& worker : s.workers) {
    w.StartObject();
    key(w, "index");
    w.Uint(worker.index);
    key(w, "connections");
    counts(w, worker.connections);
    w.EndObject();
  }
  w.EndArray();
}

void listeners(Writer& w, const StatusSnapshot& s) {
  w.StartArray();
  for (const auto& l : s.listeners) {
    w.StartObject();
    key(w, "address");
    string(w, l.address);
    key(w, "mode");
    string(w, l.mode);
    key(w, "tls");
    w.Bool(l.tls);
    key(w, "open");
    w.Bool(l.open);
    w.EndObject();
  }
  w.EndArray();
}

void handlers(Writer& w, const StatusSnapshot& s) {
  w.StartObject();
  key(w, "connected");
  w.Int(s.handlers_connected);
  key(w, "seen");
  w.StartArray();
  for (const auto& h : s.handlers) {
    w.StartObject();
    key(w, "address");
    string(w, h.address);
    key(w, "last_seen_seconds_ago");
    number(w, h.last_seen_seconds_ago);
    w.EndObject();
  }
  w.EndArray();
  key(w, "discovery");
  w.StartArray();
  for (const auto& d : s.discovery) {
    w.StartObject();
    key(w, "base");
    string(w, d.base);
    for (const auto* list : {&d.addresses, &d.leaving}) {
      key(w, list == &d.addresses ? "addresses" : "leaving");
      w.StartArray();
      for (const auto& a : *list) string(w, a);
      w.EndArray();
    }
    key(w, "lookups_ok");
    w.Uint64(d.lookups_ok);
    key(w, "lookups_failed");
    w.Uint64(d.lookups_failed);
    key(w, "last_error");
    string(w, d.last_error);
    key(w, "last_success_seconds_ago");
    if (d.last_success_seconds_ago) {
      number(w, *d.last_success_seconds_ago);
    } else {
      w.Null();
    }
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

void totals(Writer& w, const TotalsStatus& t) {
  counters(w, {{"connections_accepted", t.connections_accepted},
               {"requests", t.requests},
               {"websocket_messages", t.websocket_messages},
               {"client_received_bytes", t.client_received_bytes},
               {"client_sent_bytes", t.client_sent_bytes}});
}

void drain(Writer& w, const DrainStatus& d) {
  w.StartObject();
  key(w, "started");
  w.Bool(d.started);
  key(w, "finished");
  w.Bool(d.finished);
  key(w, "deadline_seconds_left");
  number(w, d.deadline_seconds_left);
  key(w, "timeout_seconds");
  number(w, static_cast<double>(d.options.timeout.count()) / 1000.0);
  key(w, "stop_accepting");
  w.Bool(d.options.stop_accepting);
  key(w, "close_websockets_now");
  w.Bool(d.options.close_websockets_now);
  key(w, "exit");
  w.Bool(d.options.exit_when_done);
  w.EndObject();
}

std::string text_of(const rapidjson::StringBuffer& buffer) {
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

}  // namespace

std::string status_json(const StatusSnapshot& s, const std::optional<std::string>& not_ready_reason) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  key(w, "version");
  string(w, s.version);
  key(w, "state");
  string(w, s.drain.started ? "DRAINING" : "LIVE");
  key(w, "ready");
  w.Bool(!not_ready_reason);
  key(w, "not_ready_reason");
  if (not_ready_reason) {
    string(w, *not_ready_reason);
  } else {
    w.Null();
  }
  key(w, "uptime_seconds");
  number(w, s.uptime_seconds);
  key(w, "listeners");
  listeners(w, s);
  key(w, "connections");
  counts(w, s.connections);
  key(w, "workers");
  workers(w, s);
  key(w, "handlers");
  handlers(w, s);
  key(w, "totals");
  totals(w, s.totals);
  key(w, "drain");
  drain(w, s.drain);
  w.EndObject();
  return text_of(buffer);
}

std::string connections_json(const StatusSnapshot& s) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  key(w, "connections");
  counts(w, s.connections);
  key(w, "workers");
  workers(w, s);
  w.EndObject();
  return text_of(buffer);
}

std::string error_json(std::string_view message) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  key(w, "error");
  string(w, message);
  w.EndObject();
  return text_of(buffer);
}

std::string log_level_json(int level) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  key(w, "level");
  w.Int(level);
  w.EndObject();
  return text_of(buffer);
}

}  // namespace zedge::admin
