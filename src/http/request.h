// Request: one parsed HTTP request as handlers see it. Built by the connection, owned by it for the
// duration of one handler call; handlers may read and move from it. Not shared between threads.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace spacehub::http {

enum class Method { kGet, kHead, kPost, kPut, kDelete, kPatch, kOptions, kOther };

std::string_view MethodName(Method m);

struct Request {
  Method method = Method::kGet;
  std::string target;  // raw request-target, e.g. "/api/models/a/b?x=1"
  std::string path;    // raw (still percent-encoded) path part of target, without query
  // Header names lower-cased; values as received. Multiple headers with one name stay separate.
  std::vector<std::pair<std::string, std::string>> headers;
  // Query parameters, percent-decoded ('+' decoded as space), in order.
  std::vector<std::pair<std::string, std::string>> query;
  // Route parameters captured by the router, percent-decoded.
  std::vector<std::pair<std::string, std::string>> params;
  std::string body;            // whole body for buffered routes; empty for streaming routes
  std::string request_id;      // X-Request-Id we answer with (client's if sane, else generated)
  std::string remote_address;  // peer IP
  // The base URL of the listener it came through when that listener has its own (a Space's
  // in-network listener: http://127.0.0.1:<port>); empty: the hub's public URL applies.
  std::string listener_url;
  bool keep_alive = true;

  // Case-insensitive lookup; empty view when absent.
  std::string_view Header(std::string_view name) const;
  bool HasHeader(std::string_view name) const;
  std::optional<std::string> Query(std::string_view name) const;
  std::vector<std::string> QueryAll(std::string_view name) const;
  // Query flag: present with "", "1", "true", "True", "yes" => true.
  bool QueryFlag(std::string_view name) const;
  // Router parameter; empty view when absent.
  std::string_view Param(std::string_view name) const;
};

// Percent-decoding of one path segment or query component. Fails on malformed escapes.
std::optional<std::string> PercentDecode(std::string_view in, bool plus_as_space);
std::string PercentEncode(std::string_view in, bool keep_slash);
// Parses "a=1&b=2" into decoded pairs (application/x-www-form-urlencoded).
std::optional<std::vector<std::pair<std::string, std::string>>> ParseFormEncoded(
    std::string_view text);

}  // namespace spacehub::http
