#include "auth/identity.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/crypto.h"
#include "testing/fake_clock.h"
#include "testing/temp_dir.h"

namespace spacehub::auth {
namespace {

class IdentityTest : public testing::TempDirTest {
 protected:
  void SetUp() override {
    store_ = std::move(db::OpenSqliteStore(dir_ / "hub.db", clock_)).value();
    id_ = std::make_unique<Identity>(*store_, clock_);
  }
  testing::FakeClock clock_;
  std::unique_ptr<db::MetadataStore> store_;
  std::unique_ptr<Identity> id_;
};

TEST_F(IdentityTest, TokenRoundTripBearerAndBasic) {
  auto alice = id_->CreateUser("alice", false);
  ASSERT_TRUE(alice.ok());
  EXPECT_EQ(alice->created_at, clock_.NowMillis());  // dated by the injected clock
  clock_.AdvanceSeconds(60);
  auto t = id_->CreateToken("alice", db::Role::kWrite, "cli");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->token.created_at, clock_.NowMillis());
  EXPECT_EQ(t->text.rfind("hf_", 0), 0u);
  EXPECT_EQ(t->text.size(), 37u);
  auto p = id_->Authenticate("Bearer " + t->text);
  ASSERT_TRUE(p.ok());
  ASSERT_TRUE(p->has_value());
  EXPECT_EQ((*p)->user.name, "alice");
  auto basic = id_->Authenticate("Basic " + Base64Encode("whoever:" + t->text));
  ASSERT_TRUE(basic.ok() && basic->has_value());
}

TEST_F(IdentityTest, TokenUseIsRecordedAtMostOnceAMinute) {
  ASSERT_TRUE(id_->CreateUser("alice", false).ok());
  auto t = id_->CreateToken("alice", db::Role::kRead, "cli");
  ASSERT_TRUE(t.ok());
  const int64_t first = clock_.NowMillis();
  ASSERT_TRUE(id_->Authenticate("Bearer " + t->text).ok());
  EXPECT_EQ((*store_->ListTokens(std::nullopt))[0].last_used_at, first);
  clock_.AdvanceSeconds(59);
  auto p = id_->Authenticate("Bearer " + t->text);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ((*p)->token.last_used_at, first);  // not written again within the minute
  EXPECT_EQ((*store_->ListTokens(std::nullopt))[0].last_used_at, first);
  clock_.AdvanceSeconds(1);
  ASSERT_TRUE(id_->Authenticate("Bearer " + t->text).ok());
  EXPECT_EQ((*store_->ListTokens(std::nullopt))[0].last_used_at, clock_.NowMillis());
}

TEST_F(IdentityTest, BadCredentials) {
  auto anon = id_->Authenticate("");
  ASSERT_TRUE(anon.ok());
  EXPECT_FALSE(anon->has_value());
  for (const char* h : {"Bearer hf_nope", "Bearer xyz", "Token abc", "Basic !!!"}) {
    auto r = id_->Authenticate(h);
    ASSERT_FALSE(r.ok()) << h;
    EXPECT_EQ(r.status().code(), Code::kUnauthenticated);
    EXPECT_EQ(r.status().message(), "Invalid credentials in Authorization header");
  }
}

TEST_F(IdentityTest, Permissions) {
  ASSERT_TRUE(id_->CreateUser("alice", false).ok());
  ASSERT_TRUE(id_->CreateUser("bob", false).ok());
  ASSERT_TRUE(id_->CreateOrg("acme", {"alice:admin", "bob:read"}).ok());
  EXPECT_FALSE(id_->CreateOrg("bad", {"nobody"}).ok());
  EXPECT_FALSE(store_->FindAccount("bad").ok()) << "nothing written on a bad member";

  auto alice = std::move(
      *id_->Authenticate("Bearer " + id_->CreateToken("alice", db::Role::kWrite, "").value().text));
  auto bob = std::move(
      *id_->Authenticate("Bearer " + id_->CreateToken("bob", db::Role::kWrite, "").value().text));
  auto alice_ro = std::move(
      *id_->Authenticate("Bearer " + id_->CreateToken("alice", db::Role::kRead, "").value().text));

  EXPECT_TRUE(CanWrite(alice, "alice"));
  EXPECT_TRUE(CanWrite(alice, "acme"));
  EXPECT_FALSE(CanWrite(bob, "acme"));
  EXPECT_FALSE(CanWrite(bob, "alice"));
  EXPECT_FALSE(CanWrite(alice_ro, "alice"));
  EXPECT_FALSE(CanWrite(std::nullopt, "alice"));

  db::RepoRow priv;
  priv.repo = {RepoType::kModel, "acme", "x"};
  priv.is_private = true;
  EXPECT_TRUE(CanRead(bob, priv));
  EXPECT_TRUE(CanRead(alice_ro, priv));
  EXPECT_FALSE(CanRead(std::nullopt, priv));
  priv.repo.ns = "alice";
  EXPECT_FALSE(CanRead(bob, priv));
}

}  // namespace
}  // namespace spacehub::auth
