#include "service/xet_grant.h"

#include <charconv>
#include <vector>

#include "core/crypto.h"

namespace spacehub::service {
namespace {

constexpr std::string_view kPrefix = "xet1.";

std::string Payload(const XetGrant& g) {
  return std::to_string(g.repo_id) + "|" + (g.write ? "w" : "r") + "|" + std::to_string(g.user_id) +
         "|" + std::to_string(g.role) + "|" + std::to_string(g.expires_at);
}

std::string Sign(const Hub& hub, std::string_view payload) {
  return HmacSha256Hex(hub.options.lfs_signing_key, "xet-cas-token\n" + std::string(payload));
}

Status Invalid() { return Status::Unauthenticated("Invalid or expired Xet access token"); }

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t p = s.find(sep, start);
    out.push_back(s.substr(start, p == std::string_view::npos ? p : p - start));
    if (p == std::string_view::npos) break;
    start = p + 1;
  }
  return out;
}

bool ToInt(std::string_view s, int64_t& v) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size();
}

Result<XetGrant> Decode(const Hub& hub, std::string_view token) {
  if (token.size() > 1024 || token.substr(0, kPrefix.size()) != kPrefix) return Invalid();
  token.remove_prefix(kPrefix.size());
  size_t dot = token.find('.');
  if (dot == std::string_view::npos) return Invalid();
  std::string_view hex = token.substr(0, dot);
  std::string_view sig = token.substr(dot + 1);
  if (hex.empty() || hex.size() % 2 != 0 || !IsHex(hex, hex.size())) return Invalid();
  std::string payload;
  payload.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    payload.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  if (!ConstantTimeEquals(Sign(hub, payload), sig)) return Invalid();
  auto parts = Split(payload, '|');
  XetGrant g;
  int64_t role = 0;
  if (parts.size() != 5 || !ToInt(parts[0], g.repo_id) || !ToInt(parts[2], g.user_id) ||
      !ToInt(parts[3], role) || !ToInt(parts[4], g.expires_at) ||
      (parts[1] != "r" && parts[1] != "w")) {
    return Invalid();
  }
  g.write = parts[1] == "w";
  g.role = static_cast<int>(role);
  return g;
}

}  // namespace

std::string IssueXetToken(const Hub& hub, const XetGrant& grant) {
  std::string payload = Payload(grant);
  return std::string(kPrefix) + HexEncode(payload) + "." + Sign(hub, payload);
}

Result<XetGrant> CheckXetToken(Hub& hub, std::string_view authorization, bool write) {
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.substr(0, kBearer.size()) != kBearer) {
    return Status::Unauthenticated("A Xet access token is required (Authorization: Bearer)");
  }
  SH_ASSIGN_OR_RETURN(XetGrant g, Decode(hub, authorization.substr(kBearer.size())));
  if (g.expires_at <= hub.clock.NowMillis() / 1000) return Invalid();
  if (write && !g.write) {
    return Status::PermissionDenied("This Xet token is read-only; request a write token");
  }
  if (g.user_id != 0) {
    auto user = hub.db.FindAccountById(g.user_id);
    if (!user.ok()) return Invalid();
    SH_ASSIGN_OR_RETURN(std::vector<db::Membership> orgs, hub.db.ListMemberships(g.user_id));
    db::Token token;
    token.user_id = g.user_id;
    token.role = static_cast<db::Role>(g.role);
    g.caller = auth::Principal{std::move(*user), token, std::move(orgs)};
  }
  auto repo = hub.db.FindRepoById(g.repo_id);
  if (!repo.ok() || !auth::CanRead(g.caller, *repo)) return Status::RepoNotFound();
  if (g.write && !auth::CanWrite(g.caller, repo->repo.ns)) {
    return Status::PermissionDenied("You may no longer write to this repository");
  }
  g.repo = std::move(*repo);
  return g;
}

}  // namespace spacehub::service
