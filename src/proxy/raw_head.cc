#include "proxy/raw_head.h"

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/rfc7230.hpp>
#include <charconv>
#include <optional>

namespace spacehub::proxy {
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace {

// Records what the fast lane needs of one field.
void Note(RawHead& head, bhttp::field name, std::string_view name_string, std::string_view value) {
  const bool inside =
      value.empty() || (value.data() >= head.input.data() &&
                        value.data() + value.size() <= head.input.data() + head.input.size());
  if (!inside) value = head.unfolded.emplace_back(value);  // the parser's scratch: copy it
  head.fields.push_back({name, name_string, value});
  switch (name) {
    case bhttp::field::host:
      head.host = value;
      ++head.hosts;
      break;
    case bhttp::field::connection:
      for (auto t : bhttp::token_list(value)) head.connection_tokens.emplace_back(t);
      break;
    case bhttp::field::expect:
      head.expect = true;
      break;
    case bhttp::field::upgrade:
      head.upgrade_field = true;
      break;
    case bhttp::field::accept:
      head.accept = value;
      break;
    default:
      if (beast::iequals(name_string, "x-request-id")) {
        head.x_request_id = value;
      } else if (beast::iequals(name_string, "x-amzn-trace-id")) {
        head.x_amzn_trace_id = value;
      }
  }
}

void Reset(RawHead& head) {
  head.fields.clear();
  head.connection_tokens.clear();
  head.host = {};
  head.hosts = 0;
  head.x_request_id = {};
  head.x_amzn_trace_id = {};
  head.accept = {};
  head.expect = false;
  head.upgrade_field = false;
  head.unfolded.clear();
  head.input = {};
}

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool IsForwardingField(std::string_view name) {
  return beast::iequals(name, "x-forwarded-for") || beast::iequals(name, "x-forwarded-proto") ||
         beast::iequals(name, "x-forwarded-host") || beast::iequals(name, "x-forwarded-prefix") ||
         beast::iequals(name, "forwarded");
}

void AppendField(std::string_view name, std::string_view value, std::string& out) {
  out.append(name);
  out.append(": ");
  out.append(value);
  out.append("\r\n");
}

}  // namespace

template <bool isRequest>
RawParser<isRequest>::RawParser(RawHead& head) : head_(head) {
  Reset(head_);
}

template <bool isRequest>
size_t RawParser<isRequest>::Parse(std::string_view bytes, beast::error_code& ec) {
  head_.input = bytes;
  return this->put(boost::asio::buffer(bytes.data(), bytes.size()), ec);
}

template <bool isRequest>
void RawParser<isRequest>::on_field_impl(bhttp::field name, beast::string_view name_string,
                                         beast::string_view value, beast::error_code&) {
  Note(head_, name, name_string, value);
}

template class RawParser<true>;
template class RawParser<false>;

void RawRequestParser::on_request_impl(bhttp::verb m, beast::string_view method_str,
                                       beast::string_view t, int v, beast::error_code&) {
  method = m;
  method_string = method_str;
  target = t;
  version = v;
}

void RawResponseParser::on_response_impl(int code, beast::string_view r, int v,
                                         beast::error_code& ec) {
  // Beast takes any three digits; "044" could not be written on as a status line (RFC 9110 §15).
  if (code < 100) {
    ec = bhttp::error::bad_status;
    return;
  }
  status = code;
  reason = r;
  version = v;
}

bool HasMalformedEscape(std::string_view target) {
  for (size_t i = target.find('%'); i != std::string_view::npos; i = target.find('%', i + 1)) {
    if (i + 2 >= target.size() || !IsHex(target[i + 1]) || !IsHex(target[i + 2])) return true;
  }
  return false;
}

bool IsHopByHopField(const RawField& f, const RawHead& head) {
  if (f.name == bhttp::field::upgrade) return true;  // the lane never carries an upgrade
  for (bhttp::field name : kHopByHopFields) {
    if (f.name == name) return true;
  }
  if (f.name == bhttp::field::content_length || f.name == bhttp::field::transfer_encoding) {
    return false;  // framing: never dropped on a peer's say-so
  }
  for (std::string_view t : head.connection_tokens) {
    if (beast::iequals(t, f.name_string)) return true;
  }
  return false;
}

void AppendAppRequestHead(std::string_view method, std::string_view target, const RawHead& head,
                          const ForwardedFor& fwd, std::string& out) {
  out.append(method);
  out.push_back(' ');
  out.append(target);
  out.append(" HTTP/1.1\r\n");
  for (const RawField& f : head.fields) {
    if (IsHopByHopField(f, head) || f.name == bhttp::field::expect) continue;
    // The visitor's own X-Forwarded-* are not trusted: the hub is the edge.
    if (f.name == bhttp::field::unknown || f.name == bhttp::field::forwarded) {
      if (IsForwardingField(f.name_string)) continue;
    }
    // Hub credentials stay with the hub (forward_headers.h).
    if (IsHubCredentialField(f.name, f.value)) continue;
    if (f.name == bhttp::field::cookie) {
      if (std::optional<std::string> rest = CookieWithoutHubSession(f.value)) {
        if (!rest->empty()) AppendField(f.name_string, *rest, out);
        continue;
      }
    }
    AppendField(f.name_string, f.value, out);
  }
  AppendField("X-Forwarded-For", fwd.client_address, out);
  AppendField("X-Forwarded-Proto", fwd.proto, out);
  if (!fwd.host.empty()) AppendField("X-Forwarded-Host", fwd.host, out);
  out.append("\r\n");
}

void AppendVisitorResponseHead(int status, std::string_view reason, const RawHead& head, bool close,
                               std::string& out) {
  char code[8];
  auto [end, ec] = std::to_chars(code, code + sizeof(code), status);
  out.append("HTTP/1.1 ");
  out.append(code, end);
  out.push_back(' ');
  out.append(reason);
  out.append("\r\n");
  for (const RawField& f : head.fields) {
    if (IsHopByHopField(f, head)) continue;
    if (f.name == bhttp::field::set_cookie && SetsHubSessionCookie(f.value)) continue;
    AppendField(f.name_string, f.value, out);
  }
  if (close) out.append("Connection: close\r\n");
  out.append("\r\n");
}

}  // namespace spacehub::proxy
