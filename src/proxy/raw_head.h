// Raw message heads for the proxy's fast lane (app_link.h): Beast's own parser reads a request or
// response header in place, recording each field as views into the bytes it was given (no field
// allocation, no copy), and the heads the fast lane sends on are written straight from those views
// with the same rewriting as forward_headers.h (hop-by-hop fields and hub credentials out,
// X-Forwarded-* set by the hub). The views live as long as the parsed bytes: use them before those
// change. Heads must be given whole (through the blank line) to Parse(): a head fed in pieces would
// leave views into bytes the caller has since moved. Pure; not shared between threads (one instance
// per parse).
#pragma once

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/forward_headers.h"

namespace spacehub::proxy {

struct RawField {
  boost::beast::http::field name;  // field::unknown for names Beast does not know
  std::string_view name_string;
  std::string_view value;
};

// The fields of one head, and the values the fast lane looks at.
struct RawHead {
  std::vector<RawField> fields;  // in order; cleared by each parse (capacity kept)
  std::string_view host;         // the Host value; more than one Host makes hosts > 1
  int hosts = 0;
  std::vector<std::string_view> connection_tokens;  // of every Connection field
  std::string_view x_request_id;
  std::string_view x_amzn_trace_id;
  std::string_view accept;
  bool expect = false;
  bool upgrade_field = false;
  // Values folded over lines (obs-fold): Beast hands them over unfolded (the fold replaced by
  // spaces, as RFC 9112 §5.2 asks of a proxy) in scratch that is gone once the parse returns, so
  // they are copied here and their views point into these copies (a deque: they never move).
  std::deque<std::string> unfolded;
  std::string_view input;  // the bytes being parsed (Parse() sets it)
};

// What both raw parsers share: each field goes to a RawHead; a body is followed, never kept.
template <bool isRequest>
class RawParser : public boost::beast::http::basic_parser<isRequest> {
 public:
  // put() over a whole head, remembering its bytes (RawHead::input); after a response head,
  // put() follows the body.
  size_t Parse(std::string_view bytes, boost::beast::error_code& ec);

 protected:
  explicit RawParser(RawHead& head);

 private:
  void on_field_impl(boost::beast::http::field name, boost::beast::string_view name_string,
                     boost::beast::string_view value, boost::beast::error_code& ec) override;
  void on_header_impl(boost::beast::error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>&,
                         boost::beast::error_code&) override {}
  std::size_t on_body_impl(boost::beast::string_view body, boost::beast::error_code&) override {
    return body.size();
  }
  void on_chunk_header_impl(std::uint64_t, boost::beast::string_view,
                            boost::beast::error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, boost::beast::string_view body,
                                 boost::beast::error_code&) override {
    return body.size();
  }
  void on_finish_impl(boost::beast::error_code&) override {}

  RawHead& head_;
};

class RawRequestParser final : public RawParser<true> {
 public:
  explicit RawRequestParser(RawHead& head) : RawParser(head) {}

  boost::beast::http::verb method = boost::beast::http::verb::unknown;
  std::string_view method_string;
  std::string_view target;
  int version = 0;

 private:
  void on_request_impl(boost::beast::http::verb method, boost::beast::string_view method_str,
                       boost::beast::string_view target, int version,
                       boost::beast::error_code& ec) override;
  void on_response_impl(int, boost::beast::string_view, int, boost::beast::error_code&) override {}
};

// Parses a response head and then follows its body (chunked, sized or until EOF) so that the
// caller knows where the message ends; body bytes are only counted, the caller relays them as
// they were.
class RawResponseParser final : public RawParser<false> {
 public:
  explicit RawResponseParser(RawHead& head) : RawParser(head) {}

  int status = 0;
  std::string_view reason;
  int version = 0;

 private:
  void on_request_impl(boost::beast::http::verb, boost::beast::string_view,
                       boost::beast::string_view, int, boost::beast::error_code&) override {}
  void on_response_impl(int code, boost::beast::string_view reason, int version,
                        boost::beast::error_code& ec) override;
};

// A request target the general path would refuse (a malformed percent-escape): the lane leaves it
// to the general path's 400.
bool HasMalformedEscape(std::string_view target);

// A field that does not travel past this hop: the fixed hop-by-hop set, and those named in the
// head's Connection tokens (framing fields excepted).
bool IsHopByHopField(const RawField& f, const RawHead& head);

// Appends the head the app gets for a plain (bodiless, non-upgrade) request: the visitor's request
// line with `target`, its end-to-end fields less hub credentials, then
// X-Forwarded-For/-Proto/-Host.
void AppendAppRequestHead(std::string_view method, std::string_view target, const RawHead& head,
                          const ForwardedFor& fwd, std::string& out);

// Appends the head the visitor gets: an HTTP/1.1 status line with the app's status and reason, the
// app's end-to-end fields (less a Set-Cookie of the hub's session), and `Connection: close` when
// the visitor's connection ends after it.
void AppendVisitorResponseHead(int status, std::string_view reason, const RawHead& head, bool close,
                               std::string& out);

}  // namespace spacehub::proxy
