// The proxy fast lane's raw heads (proxy/raw_head.h), as the lane uses them: a visitor's request
// head (whole, as http::HeadLength cuts it) that the lane would take is rewritten for the app, and
// an app's response head for the visitor. Whatever the input, each head written parses again as
// one head with the same fields less the ones the hub removes: no hop-by-hop field, no hub
// credential, no visitor X-Forwarded-*, no field split or smuggled by a CR or LF in a value.
#include <boost/beast/core/string.hpp>
#include <string>

#include "auth/hub_credentials.h"
#include "fuzz/fuzz_check.h"
#include "http/head_length.h"
#include "proxy/raw_head.h"

using namespace spacehub;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace {

constexpr uint32_t kHeaderLimit = 16 * 1024;

bool HasCrLf(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

// Parses a head the hub wrote: it must be exactly one valid head.
template <class Parser>
void Reparse(Parser& p, const std::string& out) {
  p.header_limit(4 * kHeaderLimit);
  p.body_limit(boost::none);
  beast::error_code ec;
  const size_t used = p.Parse(out, ec);
  FUZZ_CHECK(!ec || ec == bhttp::error::need_more);
  FUZZ_CHECK(p.is_header_done());
  FUZZ_CHECK(used == out.size());
}

// No field the original head made hop-by-hop travels on (the hub's own `Connection: close`
// aside), and no value can start another line.
void CheckForwarded(const proxy::RawHead& sent, const proxy::RawHead& orig) {
  for (const proxy::RawField& f : sent.fields) {
    FUZZ_CHECK(!HasCrLf(f.value));
    if (f.name == bhttp::field::connection && f.value == "close") continue;
    FUZZ_CHECK(!proxy::IsHopByHopField(f, orig));
  }
}

void Request(std::string_view bytes) {
  const size_t head_len = http::HeadLength(bytes);
  if (head_len == 0) return;
  const std::string_view head = bytes.substr(0, head_len);
  proxy::RawHead h;
  proxy::RawRequestParser rp(h);
  rp.header_limit(kHeaderLimit);
  beast::error_code ec;
  const size_t used = rp.Parse(head, ec);
  // The lane's own conditions (fast_lane.cc) but the Host and the method.
  if (ec || used != head.size() || !rp.is_done() || rp.version != 11 || rp.upgrade() ||
      h.upgrade_field || h.expect || h.hosts != 1 || rp.target.empty() || rp.target[0] != '/' ||
      proxy::HasMalformedEscape(rp.target)) {
    return;
  }
  for (const proxy::RawField& f : h.fields) {
    // Every view is into the head or into the head's own unfolded copies.
    const bool inside =
        f.value.empty() || (f.value.data() >= head.data() &&
                            f.value.data() + f.value.size() <= head.data() + head.size());
    bool in_unfolded = false;
    for (const std::string& u : h.unfolded) in_unfolded = in_unfolded || u.data() == f.value.data();
    FUZZ_CHECK(inside || in_unfolded);
  }
  proxy::ForwardedFor fwd{"203.0.113.7", "https", std::string(h.host)};
  std::string out;
  proxy::AppendAppRequestHead(rp.method_string, rp.target, h, fwd, out);

  proxy::RawHead sent;
  proxy::RawRequestParser again(sent);
  Reparse(again, out);
  FUZZ_CHECK(again.method_string == rp.method_string);
  FUZZ_CHECK(again.target == rp.target);
  CheckForwarded(sent, h);
  int xff = 0;
  for (const proxy::RawField& f : sent.fields) {
    FUZZ_CHECK(f.name != bhttp::field::expect);
    FUZZ_CHECK(!(f.name == bhttp::field::authorization && auth::CarriesHubToken(f.value)));
    if (f.name == bhttp::field::cookie) {
      FUZZ_CHECK(!proxy::CookieWithoutHubSession(f.value).has_value());
    }
    if (beast::iequals(f.name_string, "x-forwarded-for")) {
      ++xff;
      FUZZ_CHECK(f.value == fwd.client_address);
    }
    FUZZ_CHECK(!beast::iequals(f.name_string, "forwarded"));
  }
  FUZZ_CHECK(xff == 1);
}

void Response(std::string_view bytes, bool close) {
  const size_t head_len = http::HeadLength(bytes);
  if (head_len == 0) return;
  const std::string_view head = bytes.substr(0, head_len);
  proxy::RawHead h;
  proxy::RawResponseParser res(h);
  res.header_limit(kHeaderLimit);
  res.body_limit(boost::none);
  beast::error_code ec;
  const size_t used = res.Parse(head, ec);
  if ((ec && ec != bhttp::error::need_more) || used != head.size() || !res.is_header_done()) return;
  std::string out;
  proxy::AppendVisitorResponseHead(res.status, res.reason, h, close, out);

  proxy::RawHead sent;
  proxy::RawResponseParser again(sent);
  Reparse(again, out);
  FUZZ_CHECK(again.status == res.status);
  FUZZ_CHECK(again.reason == res.reason);
  CheckForwarded(sent, h);
  int connection = 0;
  for (const proxy::RawField& f : sent.fields) {
    FUZZ_CHECK(!(f.name == bhttp::field::set_cookie && proxy::SetsHubSessionCookie(f.value)));
    if (f.name == bhttp::field::connection) ++connection;
  }
  FUZZ_CHECK(connection == (close ? 1 : 0));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view bytes = spacehub::fuzz::AsText(data + 1, size - 1);
  switch (data[0] % 3) {
    case 0:
      Request(bytes);
      break;
    case 1:
      Response(bytes, false);
      break;
    default:
      Response(bytes, true);
  }
  return 0;
}
