// Sessions: signing in to the web UI with a user name and a password, and the browser sessions
// that follow.
//
//  - Passwords are stored only as argon2id PHC strings (auth/passwords.h).
//  - A session is a random 256-bit secret in a cookie; the database keeps only its SHA-256, so a
//    stolen database opens no session. Sessions expire after `idle_ttl` without a visit and at the
//    latest `absolute_ttl` after sign-in.
//  - The CSRF token of a session is derived from its secret (HMAC-SHA256 of a fixed label keyed by
//    the secret), so it needs no storage, differs per session and cannot be computed without the
//    cookie. Every state-changing request made with the cookie must carry it (a form field for the
//    pages, the X-CSRF-Token header for the JSON API).
//  - Failed sign-ins are slowed per account and per address (auth/login_throttle.h): a throttled
//    attempt is refused before the password is even checked, with a Retry-After.
//
// Thread-safety: every method may be called concurrently. Borrows the store, the clock and the
// throttle; the caller keeps them alive.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "auth/hub_credentials.h"
#include "auth/login_throttle.h"
#include "auth/principal.h"
#include "core/clock.h"
#include "db/metadata_store.h"

namespace spacehub::auth {

struct SessionOptions {
  int64_t idle_ttl_ms = 14LL * 24 * 3600 * 1000;      // ends after two weeks without a visit
  int64_t absolute_ttl_ms = 30LL * 24 * 3600 * 1000;  // and a month after sign-in at the latest
};

// Who may create an account from the sign-up page (the administrator's choice; `serve --signup`).
enum class SignupPolicy { kClosed, kOpen, kInvitation };
Result<SignupPolicy> ParseSignupPolicy(std::string_view text);  // "closed" | "open" | "invitation"
std::string_view SignupPolicyName(SignupPolicy policy);

struct NewSession {
  std::string cookie_value;  // the secret; goes only into the Set-Cookie header
  std::string csrf;          // CsrfFor(cookie_value)
  db::Session row;
};

// A request's session, resolved from its cookie.
struct SessionCaller {
  Principal principal;  // token: {id 0, name "browser session", role kWrite}; session_id set
  std::string csrf;
};

class Sessions final {
 public:
  Sessions(db::MetadataStore& store, LoginThrottle& throttle, const Clock& clock = Clock::System(),
           SessionOptions options = {});

  // Any mismatch (unknown user, organization, no password set, wrong password) is the same
  // kUnauthenticated "Invalid username or password"; a throttled attempt is kResourceExhausted
  // with retry_after_seconds, refused before the password is hashed.
  Result<NewSession> SignIn(std::string_view user, std::string_view password,
                            std::string_view remote_address, std::string_view user_agent);
  // Creates a user and signs them in, as the policy allows: kPermissionDenied when closed, or when
  // the invitation code is missing, unknown, used or expired (an invitation is used once).
  Result<NewSession> SignUp(SignupPolicy policy, std::string_view user, std::string_view password,
                            std::string_view invitation, std::string_view remote_address,
                            std::string_view user_agent);
  // nullopt for an unknown, malformed or expired cookie (the request is then anonymous). Extends
  // the idle expiry at most once a minute (no write per request).
  Result<std::optional<SessionCaller>> Resolve(std::string_view cookie_value);
  // Ends the cookie's session; an unknown cookie is not an error.
  Status SignOut(std::string_view cookie_value);
  // Needs the current password; ends every other session of the user (this one stays).
  Status ChangePassword(const SessionCaller& who, std::string_view current,
                        std::string_view replacement);
  // The administrator's reset (admin CLI, admin page): ends every session of the user.
  Status SetPassword(std::string_view user, std::string_view password);
  // An invitation code for the sign-up page, valid for `ttl_ms`; only its hash is stored.
  Result<std::string> CreateInvitation(const db::Account& by, int64_t ttl_ms);

  // The CSRF token of the session behind `cookie_value`.
  static std::string CsrfFor(std::string_view cookie_value);
  // Constant-time comparison of a presented CSRF token with the expected one.
  static bool CsrfMatches(std::string_view presented, std::string_view expected);

 private:
  Result<NewSession> Open(const db::Account& user, std::string_view user_agent);

  db::MetadataStore& store_;
  LoginThrottle& throttle_;
  const Clock& clock_;
  SessionOptions options_;
};

// Passwords: at least 8 and at most 1024 bytes (NIST SP 800-63B: length, no composition rules).
Status ValidatePassword(std::string_view password);

// The value of the session cookie in a `Cookie` request header (any of kSessionCookieNames), or "".
std::string_view SessionCookieFrom(std::string_view cookie_header);

}  // namespace spacehub::auth
