// Router implementation: patterns are split into segments once at registration; matching walks the
// raw request path segment by segment, percent-decoding each. Read-only after start-up.
#include "http/router.h"

#include <cassert>

namespace spacehub::http {
namespace {

struct Segment {
  enum class Kind { kLiteral, kParam, kRest };
  Kind kind;
  std::string text;  // literal text or parameter name
};

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (true) {
    size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

std::vector<Segment> ParsePattern(std::string_view pattern) {
  std::vector<Segment> out;
  for (std::string_view s : SplitPath(pattern)) {
    if (s.size() >= 2 && s.front() == '{' && s.back() == '}') {
      std::string_view name = s.substr(1, s.size() - 2);
      if (!name.empty() && name.back() == '*') {
        name.remove_suffix(1);
        out.push_back({Segment::Kind::kRest, std::string(name)});
      } else {
        out.push_back({Segment::Kind::kParam, std::string(name)});
      }
    } else {
      out.push_back({Segment::Kind::kLiteral, std::string(s)});
    }
  }
  for (size_t i = 0; i + 1 < out.size(); ++i) {
    assert(out[i].kind != Segment::Kind::kRest && "{name*} must be the last segment");
  }
  return out;
}

}  // namespace

struct Router::Route {
  Method method;
  std::vector<Segment> segments;
  Handler handler;               // buffered routes
  BodyRules body_rules;          // buffered routes
  StreamHandler stream_handler;  // streaming routes
  ExchangeHandler exchange;      // exchange routes (any method)

  // Matches the split path; fills `params` on success.
  bool Matches(const std::vector<std::string_view>& parts,
               std::vector<std::pair<std::string, std::string>>& params) const {
    params.clear();
    size_t i = 0;
    for (const Segment& seg : segments) {
      if (seg.kind == Segment::Kind::kRest) {
        if (i >= parts.size()) return false;
        std::string joined;
        for (size_t j = i; j < parts.size(); ++j) {
          std::optional<std::string> d = PercentDecode(parts[j], false);
          if (!d) return false;
          if (j > i) joined.push_back('/');
          joined += *d;
        }
        if (joined.empty()) return false;
        params.emplace_back(seg.text, std::move(joined));
        return true;
      }
      if (i >= parts.size()) return false;
      std::optional<std::string> d = PercentDecode(parts[i], false);
      if (!d) return false;
      if (seg.kind == Segment::Kind::kLiteral) {
        if (*d != seg.text) return false;
      } else {
        if (d->empty()) return false;
        params.emplace_back(seg.text, std::move(*d));
      }
      ++i;
    }
    return i == parts.size();
  }
};

Router::Router() = default;
Router::~Router() = default;

void Router::Add(Method method, std::string_view pattern, Handler handler,
                 std::optional<BodyRules> rules) {
  auto r = std::make_unique<Route>();
  r->method = method;
  r->segments = ParsePattern(pattern);
  r->handler = std::move(handler);
  r->body_rules = rules ? *rules : BodyRules::For(method);
  routes_.push_back(std::move(r));
}

void Router::AddStreaming(Method method, std::string_view pattern, StreamHandler handler) {
  auto r = std::make_unique<Route>();
  r->method = method;
  r->segments = ParsePattern(pattern);
  r->stream_handler = std::move(handler);
  routes_.push_back(std::move(r));
}

void Router::AddExchange(std::string_view pattern, ExchangeHandler handler) {
  auto r = std::make_unique<Route>();
  r->method = Method::kOther;
  r->segments = ParsePattern(pattern);
  r->exchange = std::move(handler);
  routes_.push_back(std::move(r));
}

void Router::SetFront(FrontClaim claim, ExchangeHandler handler) {
  front_claim_ = std::move(claim);
  front_handler_ = std::move(handler);
}

void Router::SetCredentialCheck(CredentialCheck check) { credential_check_ = std::move(check); }

Status Router::CheckCredentials(const Request& req) const {
  return credential_check_ ? credential_check_(req) : Status::Ok();
}

Router::Match Router::Find(Request& req) const {
  Match match;
  req.params.clear();
  if (front_claim_ && front_claim_(req)) {
    match.exchange = &front_handler_;
    return match;
  }
  if (req.path.empty() || req.path.front() != '/') return match;
  std::vector<std::string_view> parts = SplitPath(req.path);
  std::vector<std::pair<std::string, std::string>> params;

  auto find_for = [&](Method m) -> const Route* {
    for (const auto& r : routes_) {
      if ((r->method == m || r->exchange) && r->Matches(parts, params)) return r.get();
    }
    return nullptr;
  };
  const Route* found = find_for(req.method);
  if (!found && req.method == Method::kHead) found = find_for(Method::kGet);
  if (found) {
    req.params = std::move(params);
    if (found->exchange) {
      match.exchange = &found->exchange;
    } else {
      match.route = found;
    }
    return match;
  }
  for (const auto& r : routes_) {
    if (r->Matches(parts, params)) {
      match.method_mismatch = true;
      break;
    }
  }
  return match;
}

bool Router::IsStreaming(const Route& route) { return static_cast<bool>(route.stream_handler); }

const BodyRules& Router::Rules(const Route& route) { return route.body_rules; }

Response Router::Invoke(const Route& route, Request& req) { return route.handler(req); }

Result<std::unique_ptr<BodySink>> Router::InvokeStreaming(const Route& route, Request& req) {
  return route.stream_handler(req);
}

}  // namespace spacehub::http
