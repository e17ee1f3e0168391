#include "admin/admin_message.hpp"

#include "http1/field_text.hpp"
#include "http1/response_writer.hpp"

namespace zedge::admin {

const http1::HeaderField* AdminRequest::find(std::string_view name) const {
  for (const auto& h : headers) {
    if (http1::equals_ignore_case(h.name, name)) return &h;
  }
  return nullptr;
}

std::string write_response(const AdminResponse& response, int version_minor, bool head_request, bool keep_alive) {
  http1::ResponseInfo info;
  info.version_minor = version_minor;
  info.head_request = head_request;
  info.code = response.status;
  info.headers.push_back({"Content-Type", response.content_type});
  for (const auto& [name, value] : response.headers) info.headers.push_back({name, value});
  info.headers.push_back({"Cache-Control", "no-store"});
  info.first_body_size = response.body.size();
  info.more = false;
  info.keep_alive = keep_alive;

  // The router's headers are fixed text, so a plan always exists; the fallback keeps a
  // bad header from ever reaching the wire.
  auto plan = http1::plan_response(info);
  std::string out;
  if (!plan) {
    http1::write_simple_response(version_minor, 500, "", "bad admin response\n", false, out);
    return out;
  }
  http1::write_head(info, *plan, out);
  if (plan->framing != http1::Framing::NoBody) out += response.body;
  return out;
}

}  // namespace zedge::admin
