#include "auth/sessions.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "auth/identity.h"
#include "core/crypto.h"
#include "testing/fake_clock.h"
#include "testing/temp_dir.h"

namespace spacehub::auth {
namespace {

constexpr int64_t kMinute = 60 * 1000;
constexpr int64_t kDay = 24 * 60 * kMinute;

class SessionsTest : public testing::TempDirTest {
 protected:
  void SetUp() override {
    store_ = std::move(db::OpenSqliteStore(dir_ / "hub.db", clock_)).value();
    throttle_ = std::make_unique<LoginThrottle>(clock_);
    sessions_ = std::make_unique<Sessions>(*store_, *throttle_, clock_);
    Identity id(*store_, clock_);
    alice_ = id.CreateUser("alice", false).value();
    ASSERT_TRUE(sessions_->SetPassword("alice", "alice-password").ok());
  }
  NewSession SignIn(std::string_view password = "alice-password") {
    auto s = sessions_->SignIn("alice", password, "10.0.0.1", "test-agent");
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? *s : NewSession{};
  }
  std::optional<SessionCaller> Resolve(std::string_view cookie) {
    auto r = sessions_->Resolve(cookie);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::nullopt;
  }

  testing::FakeClock clock_;
  std::unique_ptr<db::MetadataStore> store_;
  std::unique_ptr<LoginThrottle> throttle_;
  std::unique_ptr<Sessions> sessions_;
  db::Account alice_;
};

TEST_F(SessionsTest, SignInGivesACookieThatResolvesToTheUser) {
  NewSession s = SignIn();
  EXPECT_EQ(s.cookie_value.size(), 43u);  // 32 bytes, base64url without padding
  EXPECT_EQ(s.cookie_value.find_first_of("+/="), std::string::npos);
  EXPECT_EQ(s.csrf, Sessions::CsrfFor(s.cookie_value));
  EXPECT_EQ(s.row.user_agent, "test-agent");
  auto who = Resolve(s.cookie_value);
  ASSERT_TRUE(who.has_value());
  EXPECT_EQ(who->principal.user.name, "alice");
  EXPECT_EQ(who->principal.token.id, 0);
  EXPECT_EQ(who->principal.token.name, "browser session");
  EXPECT_EQ(who->principal.token.role, db::Role::kWrite);
  EXPECT_EQ(who->principal.session_id, s.row.id);
  EXPECT_EQ(who->csrf, s.csrf);
}

TEST_F(SessionsTest, TheDatabaseKeepsOnlyTheCookiesHash) {
  NewSession s = SignIn();
  EXPECT_EQ(store_->FindSessionByHash(s.cookie_value).status().code(), Code::kNotFound);
}

TEST_F(SessionsTest, WrongPasswordAndUnknownUserGiveTheSameError) {
  auto wrong = sessions_->SignIn("alice", "not-her-password", "10.0.0.1", "");
  auto unknown = sessions_->SignIn("nobody", "alice-password", "10.0.0.2", "");
  ASSERT_TRUE(Identity(*store_, clock_).CreateOrg("acme", {}).ok());
  auto org = sessions_->SignIn("acme", "alice-password", "10.0.0.3", "");
  ASSERT_TRUE(Identity(*store_, clock_).CreateUser("nopass", false).ok());
  auto no_password = sessions_->SignIn("nopass", "", "10.0.0.4", "");
  for (const auto* r : {&wrong, &unknown, &org, &no_password}) {
    EXPECT_EQ(r->status().code(), Code::kUnauthenticated);
    EXPECT_EQ(r->status().message(), "Invalid username or password");
  }
}

TEST_F(SessionsTest, SixthAttemptIsThrottledBeforeThePasswordIsChecked) {
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(sessions_->SignIn("alice", "wrong-password", "10.0.0.1", "").status().code(),
              Code::kUnauthenticated);
  }
  // Even the right password is refused now: the attempt never reaches the hash.
  auto r = sessions_->SignIn("alice", "alice-password", "10.0.0.9", "");
  EXPECT_EQ(r.status().code(), Code::kResourceExhausted);
  ASSERT_TRUE(r.status().retry_after_seconds().has_value());
  EXPECT_GE(*r.status().retry_after_seconds(), 1);
  clock_.AdvanceSeconds(1);
  SignIn();  // the wait is over, and a success clears the account's record
  EXPECT_TRUE(sessions_->SignIn("alice", "alice-password", "10.0.0.7", "").ok());
}

TEST_F(SessionsTest, AnAddressIsThrottledAcrossAccounts) {
  for (int i = 0; i < 5; ++i) {
    (void)sessions_->SignIn("user" + std::to_string(i), "whatever-pw", "6.6.6.6", "");
  }
  EXPECT_EQ(sessions_->SignIn("alice", "alice-password", "6.6.6.6", "").status().code(),
            Code::kResourceExhausted);
  EXPECT_TRUE(sessions_->SignIn("alice", "alice-password", "10.0.0.1", "").ok());
}

TEST_F(SessionsTest, SessionEndsAfterIdleTime) {
  NewSession s = SignIn();
  clock_.AdvanceMillis(10 * kDay);
  EXPECT_TRUE(Resolve(s.cookie_value).has_value());  // a visit extends it to day 24
  clock_.AdvanceMillis(14 * kDay - 1);
  auto row = store_->FindSessionByHash(Sha256Hex(s.cookie_value));
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(row->expires_at, row->created_at + 24 * kDay);
  clock_.AdvanceMillis(1);  // 14 idle days, well before the 30-day limit
  EXPECT_FALSE(Resolve(s.cookie_value).has_value());
  EXPECT_FALSE(Resolve(s.cookie_value).has_value());  // and stays ended
}

TEST_F(SessionsTest, SessionEndsAtTheAbsoluteLimitHoweverActive) {
  NewSession s = SignIn();
  for (int day = 1; day < 30; ++day) {
    clock_.AdvanceMillis(kDay);
    ASSERT_TRUE(Resolve(s.cookie_value).has_value()) << day;
  }
  auto row = store_->FindSessionByHash(Sha256Hex(s.cookie_value));
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(row->expires_at, row->created_at + 30 * kDay);  // never extended past the limit
  clock_.AdvanceMillis(kDay);
  EXPECT_FALSE(Resolve(s.cookie_value).has_value());
}

TEST_F(SessionsTest, ResolveWritesAtMostOnceAMinute) {
  NewSession s = SignIn();
  clock_.AdvanceSeconds(30);
  ASSERT_TRUE(Resolve(s.cookie_value).has_value());
  EXPECT_EQ(store_->FindSessionByHash(Sha256Hex(s.cookie_value))->last_seen_at, s.row.last_seen_at);
  clock_.AdvanceSeconds(30);
  ASSERT_TRUE(Resolve(s.cookie_value).has_value());
  EXPECT_EQ(store_->FindSessionByHash(Sha256Hex(s.cookie_value))->last_seen_at, clock_.NowMillis());
}

TEST_F(SessionsTest, GarbageCookiesAreAnonymous) {
  NewSession s = SignIn();
  std::string flipped = s.cookie_value;
  flipped[0] = flipped[0] == 'A' ? 'B' : 'A';
  for (const std::string& bad :
       {std::string(), std::string("x"), std::string(43, 'A'), flipped, s.cookie_value + "A",
        s.cookie_value.substr(1), std::string(43, '\0'), "' OR 1=1 --" + std::string(32, 'a'),
        Sha256Hex(s.cookie_value)}) {
    EXPECT_FALSE(Resolve(bad).has_value()) << bad;
  }
}

TEST_F(SessionsTest, SignOutEndsOnlyThatSession) {
  NewSession a = SignIn();
  NewSession b = SignIn();
  ASSERT_TRUE(sessions_->SignOut(a.cookie_value).ok());
  EXPECT_FALSE(Resolve(a.cookie_value).has_value());
  EXPECT_TRUE(Resolve(b.cookie_value).has_value());
  EXPECT_TRUE(sessions_->SignOut(a.cookie_value).ok());
  EXPECT_TRUE(sessions_->SignOut("garbage").ok());
}

TEST_F(SessionsTest, ChangePasswordEndsOtherSessionsButKeepsThisOne) {
  NewSession mine = SignIn();
  NewSession other = SignIn();
  auto me = Resolve(mine.cookie_value);
  ASSERT_TRUE(me.has_value());
  EXPECT_EQ(sessions_->ChangePassword(*me, "wrong-current", "new-password-1").code(),
            Code::kPermissionDenied);
  EXPECT_EQ(sessions_->ChangePassword(*me, "alice-password", "short").code(),
            Code::kInvalidArgument);
  EXPECT_TRUE(Resolve(other.cookie_value).has_value());  // failures change nothing
  ASSERT_TRUE(sessions_->ChangePassword(*me, "alice-password", "new-password-1").ok());
  EXPECT_TRUE(Resolve(mine.cookie_value).has_value());
  EXPECT_FALSE(Resolve(other.cookie_value).has_value());
  EXPECT_EQ(sessions_->SignIn("alice", "alice-password", "10.0.0.1", "").status().code(),
            Code::kUnauthenticated);
  EXPECT_TRUE(sessions_->SignIn("alice", "new-password-1", "10.0.0.1", "").ok());
}

TEST_F(SessionsTest, SetPasswordEndsEverySession) {
  NewSession a = SignIn();
  ASSERT_TRUE(sessions_->SetPassword("alice", "reset-password").ok());
  EXPECT_FALSE(Resolve(a.cookie_value).has_value());
  EXPECT_TRUE(sessions_->SignIn("alice", "reset-password", "10.0.0.1", "").ok());
  EXPECT_EQ(sessions_->SetPassword("alice", "short").code(), Code::kInvalidArgument);
  EXPECT_EQ(sessions_->SetPassword("nobody", "long-enough").code(), Code::kNotFound);
}

TEST_F(SessionsTest, SignUpFollowsThePolicy) {
  auto closed = sessions_->SignUp(SignupPolicy::kClosed, "bob", "bob-password", "", "", "");
  EXPECT_EQ(closed.status().code(), Code::kPermissionDenied);
  EXPECT_EQ(store_->FindAccount("bob").status().code(), Code::kNotFound);

  auto open = sessions_->SignUp(SignupPolicy::kOpen, "bob", "bob-password", "", "", "ua");
  ASSERT_TRUE(open.ok()) << open.status().ToString();
  auto bob = Resolve(open->cookie_value);
  ASSERT_TRUE(bob.has_value());
  EXPECT_EQ(bob->principal.user.name, "bob");
  EXPECT_FALSE(bob->principal.user.is_admin);
  EXPECT_TRUE(sessions_->SignIn("bob", "bob-password", "10.0.0.1", "").ok());

  EXPECT_EQ(
      sessions_->SignUp(SignupPolicy::kOpen, "BOB", "bob-password", "", "", "").status().code(),
      Code::kConflict);
  EXPECT_EQ(
      sessions_->SignUp(SignupPolicy::kOpen, "../x", "bob-password", "", "", "").status().code(),
      Code::kInvalidArgument);
  EXPECT_EQ(sessions_->SignUp(SignupPolicy::kOpen, "carol", "short", "", "", "").status().code(),
            Code::kInvalidArgument);
}

TEST_F(SessionsTest, AnInvitationIsUsedOnce) {
  auto code = sessions_->CreateInvitation(alice_, 7 * kDay);
  ASSERT_TRUE(code.ok());
  EXPECT_EQ(sessions_->SignUp(SignupPolicy::kInvitation, "bob", "bob-password", "", "", "")
                .status()
                .code(),
            Code::kPermissionDenied);
  EXPECT_EQ(sessions_->SignUp(SignupPolicy::kInvitation, "bob", "bob-password", "wrong", "", "")
                .status()
                .code(),
            Code::kPermissionDenied);
  // A taken name does not burn the code.
  EXPECT_EQ(sessions_->SignUp(SignupPolicy::kInvitation, "alice", "bob-password", *code, "", "")
                .status()
                .code(),
            Code::kConflict);
  EXPECT_TRUE(
      sessions_->SignUp(SignupPolicy::kInvitation, "bob", "bob-password", *code, "", "").ok());
  EXPECT_EQ(sessions_->SignUp(SignupPolicy::kInvitation, "carol", "carol-password", *code, "", "")
                .status()
                .code(),
            Code::kPermissionDenied);
}

TEST_F(SessionsTest, AnExpiredInvitationIsRefused) {
  auto code = sessions_->CreateInvitation(alice_, kDay);
  ASSERT_TRUE(code.ok());
  clock_.AdvanceMillis(kDay);
  EXPECT_EQ(sessions_->SignUp(SignupPolicy::kInvitation, "bob", "bob-password", *code, "", "")
                .status()
                .code(),
            Code::kPermissionDenied);
  EXPECT_EQ(store_->FindAccount("bob").status().code(), Code::kNotFound);
}

TEST_F(SessionsTest, CsrfTokenDiffersPerSessionAndMatchesOnlyExactly) {
  NewSession a = SignIn();
  NewSession b = SignIn();
  EXPECT_NE(a.csrf, b.csrf);
  EXPECT_EQ(a.csrf.size(), 64u);
  EXPECT_TRUE(Sessions::CsrfMatches(a.csrf, a.csrf));
  EXPECT_FALSE(Sessions::CsrfMatches(b.csrf, a.csrf));
  EXPECT_FALSE(Sessions::CsrfMatches("", a.csrf));
  EXPECT_FALSE(Sessions::CsrfMatches("", ""));
  EXPECT_FALSE(Sessions::CsrfMatches(a.csrf.substr(0, 63), a.csrf));
  EXPECT_FALSE(Sessions::CsrfMatches(a.csrf + "0", a.csrf));
}

TEST(SessionCookieTest, FoundAmongOtherCookies) {
  EXPECT_EQ(SessionCookieFrom(""), "");
  EXPECT_EQ(SessionCookieFrom("a=b"), "");
  EXPECT_EQ(SessionCookieFrom("spacehub_session=abc"), "abc");
  EXPECT_EQ(SessionCookieFrom("a=b;  spacehub_session=abc ; c=d"), "abc");
  EXPECT_EQ(SessionCookieFrom("xspacehub_session=abc; spacehub_sessionx=def"), "");
  EXPECT_EQ(SessionCookieFrom("spacehub_session=plain; __Host-spacehub_session=host"), "host");
  EXPECT_EQ(SessionCookieFrom("__Host-spacehub_session=host; spacehub_session=plain"), "host");
  EXPECT_EQ(SessionCookieFrom(";;=;spacehub_session"), "");
  EXPECT_EQ(SessionCookieFrom("__Host-spacehub_session=h; __Secure-spacehub_session=s"), "h");
  EXPECT_EQ(SessionCookieFrom("spacehub_session=p; __Secure-spacehub_session=s"), "s");
}

TEST(SignupPolicyTest, ParsesItsNames) {
  for (SignupPolicy p : {SignupPolicy::kClosed, SignupPolicy::kOpen, SignupPolicy::kInvitation}) {
    EXPECT_EQ(*ParseSignupPolicy(SignupPolicyName(p)), p);
  }
  EXPECT_FALSE(ParseSignupPolicy("Open").ok());
  EXPECT_FALSE(ParseSignupPolicy("").ok());
}

}  // namespace
}  // namespace spacehub::auth
