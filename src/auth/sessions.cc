// See sessions.h.
#include "auth/sessions.h"

#include <algorithm>
#include <utility>

#include "auth/identity.h"
#include "auth/passwords.h"
#include "core/crypto.h"
#include "core/repo_id.h"

namespace spacehub::auth {
namespace {

constexpr size_t kSecretBytes = 32;
constexpr size_t kCookieChars = 43;  // base64url of 32 bytes, no padding
constexpr int64_t kTouchEveryMs = 60 * 1000;
constexpr size_t kInvitationChars = 24;  // alphanumerics: ~142 bits
constexpr std::string_view kCsrfLabel = "spacehub csrf v1";

Status InvalidSignIn() { return Status::Unauthenticated("Invalid username or password"); }

std::string Base64Url(std::string_view bytes) {
  std::string out = Base64Encode(bytes);
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  while (!out.empty() && out.back() == '=') out.pop_back();
  return out;
}

bool LooksLikeCookie(std::string_view value) {
  return value.size() == kCookieChars && std::all_of(value.begin(), value.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_';
         });
}

// The PHC string checked when the account does not exist or has no password, so that an unknown
// name costs the same time as a wrong password and timing does not tell which names exist.
const std::string& DecoyHash() {
  static const std::string kDecoy = [] {
    auto h = HashPassword(RandomHex(16));
    return h.ok() ? *h : std::string();
  }();
  return kDecoy;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<SignupPolicy> ParseSignupPolicy(std::string_view text) {
  if (text == "closed") return SignupPolicy::kClosed;
  if (text == "open") return SignupPolicy::kOpen;
  if (text == "invitation") return SignupPolicy::kInvitation;
  return Status::InvalidArgument("Invalid sign-up policy '" + std::string(text) +
                                 "': expected closed, open or invitation");
}

std::string_view SignupPolicyName(SignupPolicy policy) {
  switch (policy) {
    case SignupPolicy::kClosed:
      return "closed";
    case SignupPolicy::kOpen:
      return "open";
    case SignupPolicy::kInvitation:
      return "invitation";
  }
  return "closed";
}

Status ValidatePassword(std::string_view password) {
  if (password.size() < 8) return Status::InvalidArgument("A password has at least 8 characters");
  if (password.size() > 1024) {
    return Status::InvalidArgument("A password has at most 1024 characters");
  }
  return Status::Ok();
}

std::string_view SessionCookieFrom(std::string_view header) {
  // __Host- wins, then __Secure-: a plain one may have been planted by a sibling subdomain or a
  // plain-http page, which the prefixes rule out.
  auto rank = [](std::string_view name) {
    if (name == kSessionCookieNames[1]) return 3;
    if (name == kSessionCookieNames[2]) return 2;
    return name == kSessionCookieNames[0] ? 1 : 0;
  };
  std::string_view found;
  int found_rank = 0;
  while (!header.empty()) {
    size_t semi = header.find(';');
    std::string_view pair = Trim(header.substr(0, semi));
    header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    int r = rank(Trim(pair.substr(0, eq)));
    if (r > found_rank) {
      found = Trim(pair.substr(eq + 1));
      found_rank = r;
    }
  }
  return found;
}

std::string Sessions::CsrfFor(std::string_view cookie_value) {
  return HmacSha256Hex(cookie_value, kCsrfLabel);
}

bool Sessions::CsrfMatches(std::string_view presented, std::string_view expected) {
  return !expected.empty() && ConstantTimeEquals(presented, expected);
}

Sessions::Sessions(db::MetadataStore& store, LoginThrottle& throttle, const Clock& clock,
                   SessionOptions options)
    : store_(store), throttle_(throttle), clock_(clock), options_(options) {}

Result<NewSession> Sessions::SignIn(std::string_view user, std::string_view password,
                                    std::string_view remote_address, std::string_view user_agent) {
  SH_TRY(throttle_.Check(user, remote_address));
  std::optional<db::Account> account;
  std::string phc;
  auto found = store_.FindAccount(user);
  if (found.ok() && found->kind == db::AccountKind::kUser) {
    SH_ASSIGN_OR_RETURN(phc, store_.FindPasswordHash(found->id));
    account = std::move(*found);
  } else if (!found.ok() && found.status().code() != Code::kNotFound) {
    return std::move(found).take_status();
  }
  const bool match = VerifyPassword(password, phc.empty() ? DecoyHash() : phc);
  if (!account || phc.empty() || !match) {
    throttle_.RecordFailure(user, remote_address);
    return InvalidSignIn();
  }
  throttle_.RecordSuccess(user);
  return Open(*account, user_agent);
}

Result<NewSession> Sessions::SignUp(SignupPolicy policy, std::string_view user,
                                    std::string_view password, std::string_view invitation,
                                    std::string_view remote_address, std::string_view user_agent) {
  if (policy == SignupPolicy::kClosed) {
    return Status::PermissionDenied("Sign-up is closed on this hub; ask an administrator");
  }
  // An address held back for guessing passwords does not get to create accounts meanwhile.
  SH_TRY(throttle_.Check(user, remote_address));
  SH_TRY(ValidateNamespace(user));
  SH_TRY(ValidatePassword(password));
  auto taken = store_.FindAccount(user);
  if (taken.ok()) return Status::Conflict("The name '" + std::string(user) + "' is already taken");
  if (taken.status().code() != Code::kNotFound) return std::move(taken).take_status();
  SH_ASSIGN_OR_RETURN(std::string phc, HashPassword(password));
  if (policy == SignupPolicy::kInvitation) {
    // Used only after every other check passed, so a typo in the name does not burn the code.
    bool used = false;
    if (!invitation.empty()) {
      SH_ASSIGN_OR_RETURN(used, store_.UseInvitation(Sha256Hex(invitation), clock_.NowMillis()));
    }
    if (!used) return Status::PermissionDenied("This invitation code is invalid or was used");
  }
  SH_ASSIGN_OR_RETURN(db::Account account, Identity(store_, clock_).CreateUser(user, false));
  SH_TRY(store_.SetPasswordHash(account.id, phc));
  return Open(account, user_agent);
}

Result<NewSession> Sessions::Open(const db::Account& user, std::string_view user_agent) {
  std::string cookie = Base64Url(RandomBytes(kSecretBytes));
  const int64_t now = clock_.NowMillis();
  const int64_t expires = now + std::min(options_.idle_ttl_ms, options_.absolute_ttl_ms);
  SH_ASSIGN_OR_RETURN(db::Session row, store_.CreateSession(user.id, Sha256Hex(cookie), now,
                                                            expires, user_agent.substr(0, 512)));
  std::string csrf = CsrfFor(cookie);
  return NewSession{std::move(cookie), std::move(csrf), std::move(row)};
}

Result<std::optional<SessionCaller>> Sessions::Resolve(std::string_view cookie_value) {
  using Out = std::optional<SessionCaller>;
  if (!LooksLikeCookie(cookie_value)) return Out();
  auto row = store_.FindSessionByHash(Sha256Hex(cookie_value));
  if (!row.ok()) {
    if (row.status().code() == Code::kNotFound) return Out();
    return std::move(row).take_status();
  }
  const int64_t now = clock_.NowMillis();
  const int64_t absolute_end = row->created_at + options_.absolute_ttl_ms;
  if (now >= row->expires_at || now >= absolute_end) {
    (void)store_.DeleteSession(row->id);  // tidy up; the answer is the same either way
    return Out();
  }
  if (now - row->last_seen_at >= kTouchEveryMs) {
    SH_TRY(store_.TouchSession(row->id, now, std::min(now + options_.idle_ttl_ms, absolute_end)));
  }
  auto user = store_.FindAccountById(row->user_id);
  if (!user.ok()) {
    if (user.status().code() == Code::kNotFound) return Out();
    return std::move(user).take_status();
  }
  SH_ASSIGN_OR_RETURN(std::vector<db::Membership> orgs, store_.ListMemberships(user->id));
  SessionCaller out;
  out.principal.token =
      db::Token{0, user->id, "browser session", db::Role::kWrite, row->created_at, now};
  out.principal.user = std::move(*user);
  out.principal.orgs = std::move(orgs);
  out.principal.session_id = row->id;
  out.csrf = CsrfFor(cookie_value);
  return Out(std::move(out));
}

Status Sessions::SignOut(std::string_view cookie_value) {
  if (!LooksLikeCookie(cookie_value)) return Status::Ok();
  auto row = store_.FindSessionByHash(Sha256Hex(cookie_value));
  if (!row.ok()) return row.status().code() == Code::kNotFound ? Status::Ok() : row.status();
  return store_.DeleteSession(row->id);
}

Status Sessions::ChangePassword(const SessionCaller& who, std::string_view current,
                                std::string_view replacement) {
  const db::Account& user = who.principal.user;
  // A stolen session must not become a free password-guessing oracle.
  const std::string key = "session:" + std::to_string(who.principal.session_id);
  SH_TRY(throttle_.Check(user.name, key));
  SH_TRY(ValidatePassword(replacement));
  SH_ASSIGN_OR_RETURN(std::string phc, store_.FindPasswordHash(user.id));
  if (phc.empty() || !VerifyPassword(current, phc)) {
    throttle_.RecordFailure(user.name, key);
    return Status::PermissionDenied("The current password is not correct");
  }
  SH_ASSIGN_OR_RETURN(std::string fresh, HashPassword(replacement));
  SH_TRY(store_.SetPasswordHash(user.id, fresh));
  return store_.DeleteUserSessions(user.id, who.principal.session_id);
}

Status Sessions::SetPassword(std::string_view user_name, std::string_view password) {
  SH_TRY(ValidatePassword(password));
  SH_ASSIGN_OR_RETURN(db::Account user, store_.FindAccount(user_name));
  if (user.kind != db::AccountKind::kUser) {
    return Status::InvalidArgument("'" + user.name + "' is an organization, not a user");
  }
  SH_ASSIGN_OR_RETURN(std::string phc, HashPassword(password));
  SH_TRY(store_.SetPasswordHash(user.id, phc));
  throttle_.RecordSuccess(user.name);  // the administrator's reset lifts the account's lock
  return store_.DeleteUserSessions(user.id, 0);
}

Result<std::string> Sessions::CreateInvitation(const db::Account& by, int64_t ttl_ms) {
  if (ttl_ms <= 0) return Status::InvalidArgument("An invitation must be valid for some time");
  std::string code = RandomAlnum(kInvitationChars);
  const int64_t now = clock_.NowMillis();
  SH_TRY(store_.CreateInvitation(Sha256Hex(code), by.id, now, now + ttl_ms));
  return code;
}

}  // namespace spacehub::auth
