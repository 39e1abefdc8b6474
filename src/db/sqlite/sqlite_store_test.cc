#include <gtest/gtest.h>

#include <filesystem>
#include <stdexcept>
#include <tuple>
#include <utility>
#include <vector>

#include "core/crypto.h"
#include "db/metadata_store.h"
#include "testing/fake_clock.h"
#include "testing/temp_dir.h"

namespace spacehub::db {
namespace {

class SqliteStoreTest : public testing::TempDirTest {
 protected:
  void SetUp() override {
    auto s = OpenSqliteStore(dir_ / "hub.db", clock_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }
  testing::FakeClock clock_;
  std::unique_ptr<MetadataStore> store_;
};

TEST_F(SqliteStoreTest, AccountsShareOneNamespace) {
  ASSERT_TRUE(store_->CreateAccount({0, "alice", AccountKind::kUser}).ok());
  auto dup = store_->CreateAccount({0, "ALICE", AccountKind::kOrg});
  EXPECT_EQ(dup.status().code(), Code::kConflict);
  auto found = store_->FindAccount("alice");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->kind, AccountKind::kUser);
  EXPECT_EQ(store_->FindAccount("bob").status().code(), Code::kNotFound);
}

TEST_F(SqliteStoreTest, MembershipsAndTokens) {
  auto u = store_->CreateAccount({0, "alice", AccountKind::kUser});
  auto o = store_->CreateAccount({0, "acme", AccountKind::kOrg});
  ASSERT_TRUE(u.ok() && o.ok());
  ASSERT_TRUE(store_->SetMembership(o->id, u->id, Role::kRead).ok());
  ASSERT_TRUE(store_->SetMembership(o->id, u->id, Role::kWrite).ok());
  auto m = store_->ListMemberships(u->id);
  ASSERT_TRUE(m.ok());
  ASSERT_EQ(m->size(), 1u);
  EXPECT_EQ((*m)[0].org_name, "acme");
  EXPECT_EQ((*m)[0].role, Role::kWrite);

  ASSERT_TRUE(store_->CreateToken(u->id, "t", "hash1", Role::kRead).ok());
  auto t = store_->FindTokenByHash("hash1");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->user_id, u->id);
  EXPECT_EQ(t->created_at, clock_.NowMillis());  // the store dates tokens by its clock
  EXPECT_FALSE(store_->FindTokenByHash("nope").ok());
}

TEST_F(SqliteStoreTest, ReposListingHonoursVisibility) {
  RepoRow pub{0, "", {RepoType::kModel, "alice", "pub"}, false, 1, 10, ""};
  RepoRow priv{0, "", {RepoType::kModel, "alice", "priv"}, true, 2, 20, ""};
  ASSERT_TRUE(store_->CreateRepo(pub).ok());
  ASSERT_TRUE(store_->CreateRepo(priv).ok());
  EXPECT_EQ(store_->CreateRepo(pub).status().code(), Code::kConflict);

  RepoQuery q;
  auto anon = store_->ListRepos(q);
  ASSERT_TRUE(anon.ok());
  ASSERT_EQ(anon->size(), 1u);
  q.visible_namespaces = {"alice"};
  q.sort = RepoSort::kLastModified;
  q.descending = true;
  auto owner = store_->ListRepos(q);
  ASSERT_TRUE(owner.ok());
  ASSERT_EQ(owner->size(), 2u);
  EXPECT_EQ((*owner)[0].repo.name, "priv");
  q.search = "PU";
  EXPECT_EQ(store_->ListRepos(q)->size(), 1u);
}

TEST_F(SqliteStoreTest, ReposSortByNameCaseInsensitive) {
  int64_t t = 1;
  for (const auto& [ns, name] :
       std::vector<std::pair<std::string, std::string>>{{"bob", "zeta"},
                                                        {"Alice", "beta"},
                                                        {"alice2", "a"},
                                                        {"bob", "Alpha"},
                                                        {"alice", "Gamma"}}) {
    ASSERT_TRUE(store_->CreateRepo({0, "", {RepoType::kModel, ns, name}, false, t, t, ""}).ok());
    ++t;
  }
  RepoQuery q;
  q.sort = RepoSort::kName;
  auto names = [&] {
    std::vector<std::string> out;
    auto rows = store_->ListRepos(q);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    if (rows.ok()) {
      for (const auto& r : *rows) out.push_back(r.repo.ns + "/" + r.repo.name);
    }
    return out;
  };
  EXPECT_EQ(names(), (std::vector<std::string>{"Alice/beta", "alice/Gamma", "alice2/a", "bob/Alpha",
                                               "bob/zeta"}));
  q.descending = true;
  EXPECT_EQ(names(), (std::vector<std::string>{"bob/zeta", "bob/Alpha", "alice2/a", "alice/Gamma",
                                               "Alice/beta"}));
  q.descending = false;
  q.offset = 1;
  q.limit = 2;
  EXPECT_EQ(names(), (std::vector<std::string>{"alice/Gamma", "alice2/a"}));
}

TEST_F(SqliteStoreTest, CountReposMatchesTheListFilters) {
  int64_t t = 1;
  for (const auto& [ns, name, priv] :
       std::vector<std::tuple<std::string, std::string, bool>>{{"alice", "pub1", false},
                                                               {"alice", "pub2", false},
                                                               {"alice", "secret", true},
                                                               {"bob", "pub3", false},
                                                               {"bob", "hidden", true}}) {
    ASSERT_TRUE(store_->CreateRepo({0, "", {RepoType::kModel, ns, name}, priv, t, t, ""}).ok());
    ++t;
  }
  ASSERT_TRUE(
      store_->CreateRepo({0, "", {RepoType::kSpace, "alice", "pub1"}, false, t, t, ""}).ok());
  RepoQuery q;
  q.limit = 1;
  q.offset = 3;  // paging is ignored by the count
  EXPECT_EQ(*store_->CountRepos(q), 3);
  q.visible_namespaces = {"alice"};
  EXPECT_EQ(*store_->CountRepos(q), 4);
  q.all_private = true;
  EXPECT_EQ(*store_->CountRepos(q), 5);
  q.author = "bob";
  EXPECT_EQ(*store_->CountRepos(q), 2);
  q.author.reset();
  q.search = "PUB";
  EXPECT_EQ(*store_->CountRepos(q), 3);
  q.search = "%";  // not a LIKE pattern
  EXPECT_EQ(*store_->CountRepos(q), 0);
  q.search.reset();
  q.type = RepoType::kSpace;
  EXPECT_EQ(*store_->CountRepos(q), 1);
  q.type = RepoType::kDataset;
  EXPECT_EQ(*store_->CountRepos(q), 0);
  // The same filters list as many rows as they count.
  q.type = RepoType::kModel;
  q.all_private = false;
  q.visible_namespaces = {"bob"};
  q.offset = 0;
  q.limit = 100;
  EXPECT_EQ(static_cast<int64_t>(store_->ListRepos(q)->size()), *store_->CountRepos(q));
}

TEST_F(SqliteStoreTest, MoveAndDelete) {
  auto r = store_->CreateRepo({0, "", {RepoType::kSpace, "alice", "a"}, false, 1, 1, "static"});
  ASSERT_TRUE(store_->CreateRepo({0, "", {RepoType::kSpace, "alice", "b"}, false, 1, 1, ""}).ok());
  EXPECT_EQ(store_->MoveRepo(r->id, {RepoType::kSpace, "alice", "b"}).code(), Code::kConflict);
  ASSERT_TRUE(store_->MoveRepo(r->id, {RepoType::kSpace, "alice", "c"}).ok());
  EXPECT_TRUE(store_->FindRepo({RepoType::kSpace, "alice", "c"}).ok());
  ASSERT_TRUE(store_->LinkLfsObject(r->id, "abc", 3).ok());
  EXPECT_TRUE(*store_->HasLfsObject(r->id, "abc"));
  ASSERT_TRUE(store_->DeleteRepo(r->id).ok());
  EXPECT_EQ(store_->FindRepo({RepoType::kSpace, "alice", "c"}).status().reason(), "RepoNotFound");
}

TEST_F(SqliteStoreTest, SleepingFlagIsKeptPerSpaceAndGoesWithIt) {
  auto r = store_->CreateRepo({0, "", {RepoType::kSpace, "alice", "s"}, false, 1, 1, "gradio"});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(*store_->IsSpaceSleeping(r->id));  // no row: awake
  ASSERT_TRUE(store_->SetSpaceSleeping(r->id, true, 10).ok());
  EXPECT_TRUE(*store_->IsSpaceSleeping(r->id));
  ASSERT_TRUE(store_->SetSpaceSleeping(r->id, false, 11).ok());
  EXPECT_FALSE(*store_->IsSpaceSleeping(r->id));
  ASSERT_TRUE(store_->SetSpaceSleeping(r->id, true, 12).ok());
  ASSERT_TRUE(store_->DeleteRepo(r->id).ok());
  EXPECT_FALSE(*store_->IsSpaceSleeping(r->id));
}

TEST_F(SqliteStoreTest, ReopenKeepsDataAndSchema) {
  ASSERT_TRUE(store_->CreateAccount({0, "alice", AccountKind::kUser}).ok());
  store_.reset();
  auto s = OpenSqliteStore(dir_ / "hub.db");
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE((*s)->FindAccount("alice").ok());
}

// UpdateSpaceSettings: one transaction per read-modify-write.
TEST_F(SqliteStoreTest, SpaceSettingsUpdateIsOneTransaction) {
  auto repo = store_->CreateRepo({0, "", {RepoType::kSpace, "alice", "s"}, false, 1, 1, "static"});
  auto other = store_->CreateRepo({0, "", {RepoType::kSpace, "alice", "t"}, false, 1, 1, "static"});
  ASSERT_TRUE(repo.ok() && other.ok());
  SpaceSettingsRow defaults;
  defaults.hardware_current = defaults.hardware_requested = "cpu-basic";
  auto keep = [](SpaceSettingsRow&, SpaceSettingsTxn&) { return Status::Ok(); };
  // An unchanged default is not written: no row means the defaults.
  auto same = store_->UpdateSpaceSettings(repo->id, defaults, keep);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->repo_id, repo->id);
  EXPECT_FALSE(store_->FindSpaceSettings(repo->id)->has_value());

  ASSERT_TRUE(store_
                  ->UpdateSpaceSettings(other->id, defaults,
                                        [](SpaceSettingsRow& r, SpaceSettingsTxn&) {
                                          r.hardware_current = "t4-small";
                                          return Status::Ok();
                                        })
                  .ok());
  // The change sees every row inside its transaction, and edits only its own.
  auto changed = store_->UpdateSpaceSettings(
      repo->id, defaults, [&](SpaceSettingsRow& r, SpaceSettingsTxn& txn) -> Status {
        SH_ASSIGN_OR_RETURN(auto all, txn.ListAll());
        EXPECT_EQ(all.size(), 1u);
        r.storage = "small";
        r.repo_id = other->id;  // ignored: a change edits one Space
        return Status::Ok();
      });
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ((*store_->FindSpaceSettings(repo->id))->storage, "small");
  EXPECT_EQ((*store_->FindSpaceSettings(other->id))->storage, "");

  // An error or an exception rolls back, and the store stays usable.
  auto refused = store_->UpdateSpaceSettings(repo->id, defaults, [](SpaceSettingsRow& r, auto&) {
    r.storage = "large";
    return Status::InvalidArgument("no");
  });
  EXPECT_EQ(refused.status().code(), Code::kInvalidArgument);
  EXPECT_THROW((void)store_->UpdateSpaceSettings(repo->id, defaults,
                                                 [](SpaceSettingsRow& r, auto&) -> Status {
                                                   r.storage = "large";
                                                   throw std::runtime_error("boom");
                                                 }),
               std::runtime_error);
  EXPECT_EQ((*store_->FindSpaceSettings(repo->id))->storage, "small");
  EXPECT_TRUE(store_->UpdateSpaceSettings(repo->id, defaults, keep).ok());
}

TEST_F(SqliteStoreTest, SpaceEntryUpsertAndCompareAndSwap) {
  auto repo = store_->CreateRepo({0, "", {RepoType::kSpace, "alice", "s"}, false, 1, 1, "static"});
  ASSERT_TRUE(repo.ok());
  const auto kind = SpaceEntryKind::kSecret;
  ASSERT_TRUE(store_->UpsertSpaceEntry(repo->id, kind, {"K", "v1", "desc", 1}, true).ok());
  ASSERT_TRUE(store_->UpsertSpaceEntry(repo->id, kind, {"K", "v2", "", 2}, true).ok());
  auto list = store_->ListSpaceEntries(repo->id, kind);
  ASSERT_TRUE(list.ok() && list->size() == 1);
  EXPECT_EQ((*list)[0].value, "v2");
  EXPECT_EQ((*list)[0].description, "desc");
  ASSERT_TRUE(store_->UpsertSpaceEntry(repo->id, kind, {"K", "v3", "new", 3}, false).ok());
  EXPECT_EQ((*store_->ListSpaceEntries(repo->id, kind))[0].description, "new");
  // Compare-and-swap: only while the value is still the expected one.
  EXPECT_FALSE(*store_->ReplaceSpaceEntryValue(repo->id, kind, "K", "v1", "resealed"));
  EXPECT_TRUE(*store_->ReplaceSpaceEntryValue(repo->id, kind, "K", "v3", "resealed"));
  auto after = store_->ListSpaceEntries(repo->id, kind);
  EXPECT_EQ((*after)[0].value, "resealed");
  EXPECT_EQ((*after)[0].updated_at, 3);
}

TEST_F(SqliteStoreTest, MembersAndAccountsListing) {
  auto alice = store_->CreateAccount({0, "alice", AccountKind::kUser});
  auto bob = store_->CreateAccount({0, "bob", AccountKind::kUser});
  auto acme = store_->CreateAccount({0, "acme", AccountKind::kOrg});
  ASSERT_TRUE(alice.ok() && bob.ok() && acme.ok());
  ASSERT_TRUE(store_->SetMembership(acme->id, bob->id, Role::kAdmin).ok());
  ASSERT_TRUE(store_->SetMembership(acme->id, alice->id, Role::kRead).ok());
  auto members = store_->ListMembers(acme->id);
  ASSERT_TRUE(members.ok());
  ASSERT_EQ(members->size(), 2u);
  EXPECT_EQ((*members)[0].user_name, "alice");
  EXPECT_EQ((*members)[0].org_name, "acme");
  EXPECT_EQ((*members)[1].role, Role::kAdmin);
  ASSERT_TRUE(store_->RemoveMembership(acme->id, alice->id).ok());
  EXPECT_EQ(store_->RemoveMembership(acme->id, alice->id).code(), Code::kNotFound);
  EXPECT_EQ(store_->ListMembers(acme->id)->size(), 1u);

  auto users = store_->ListAccounts(AccountKind::kUser, 0, 10);
  ASSERT_TRUE(users.ok());
  ASSERT_EQ(users->size(), 2u);
  EXPECT_EQ((*users)[0].name, "alice");
  EXPECT_EQ(store_->ListAccounts(std::nullopt, 0, 10)->size(), 3u);
  auto page = store_->ListAccounts(std::nullopt, 1, 1);
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ((*page)[0].name, "alice");  // acme, alice, bob

  ASSERT_TRUE(store_->SetAccountAdmin(bob->id, true).ok());
  EXPECT_TRUE(store_->FindAccount("bob")->is_admin);
  EXPECT_EQ(store_->SetAccountAdmin(acme->id, true).code(), Code::kNotFound);  // orgs never
}

TEST_F(SqliteStoreTest, TokensAreListedTouchedAndDeletedByTheirOwnerOnly) {
  auto alice = store_->CreateAccount({0, "alice", AccountKind::kUser});
  auto bob = store_->CreateAccount({0, "bob", AccountKind::kUser});
  ASSERT_TRUE(alice.ok() && bob.ok());
  auto a1 = store_->CreateToken(alice->id, "a1", "h1", Role::kRead);
  auto a2 = store_->CreateToken(alice->id, "a2", "h2", Role::kWrite);
  auto b1 = store_->CreateToken(bob->id, "b1", "h3", Role::kRead);
  ASSERT_TRUE(a1.ok() && a2.ok() && b1.ok());
  auto mine = store_->ListTokens(alice->id);
  ASSERT_TRUE(mine.ok());
  ASSERT_EQ(mine->size(), 2u);
  EXPECT_EQ((*mine)[0].name, "a2");  // newest first
  EXPECT_EQ((*mine)[0].last_used_at, 0);
  EXPECT_EQ(store_->ListTokens(std::nullopt)->size(), 3u);

  ASSERT_TRUE(store_->TouchToken(a1->id, 12345).ok());
  EXPECT_EQ(store_->FindTokenByHash("h1")->last_used_at, 12345);

  EXPECT_EQ(store_->DeleteToken(alice->id, b1->id).code(), Code::kNotFound);
  EXPECT_TRUE(store_->FindTokenByHash("h3").ok());
  ASSERT_TRUE(store_->DeleteToken(alice->id, a1->id).ok());
  EXPECT_FALSE(store_->FindTokenByHash("h1").ok());
  ASSERT_TRUE(store_->DeleteToken(std::nullopt, b1->id).ok());  // an admin deletes any
  EXPECT_EQ(store_->DeleteToken(std::nullopt, b1->id).code(), Code::kNotFound);
}

TEST_F(SqliteStoreTest, PasswordHashesAreKeptForUsersOnly) {
  auto alice = store_->CreateAccount({0, "alice", AccountKind::kUser});
  auto acme = store_->CreateAccount({0, "acme", AccountKind::kOrg});
  ASSERT_TRUE(alice.ok() && acme.ok());
  EXPECT_EQ(*store_->FindPasswordHash(alice->id), "");
  ASSERT_TRUE(store_->SetPasswordHash(alice->id, "$argon2id$x").ok());
  EXPECT_EQ(*store_->FindPasswordHash(alice->id), "$argon2id$x");
  EXPECT_EQ(store_->SetPasswordHash(acme->id, "$argon2id$x").code(), Code::kNotFound);
  EXPECT_EQ(store_->FindPasswordHash(999).status().code(), Code::kNotFound);
}

TEST_F(SqliteStoreTest, SessionsAreFoundByHashTouchedAndEnded) {
  auto alice = store_->CreateAccount({0, "alice", AccountKind::kUser});
  ASSERT_TRUE(alice.ok());
  auto s1 = store_->CreateSession(alice->id, "sh1", 100, 200, "firefox");
  auto s2 = store_->CreateSession(alice->id, "sh2", 100, 200, "curl");
  auto s3 = store_->CreateSession(alice->id, "sh3", 100, 200, "");
  ASSERT_TRUE(s1.ok() && s2.ok() && s3.ok());
  EXPECT_EQ(store_->CreateSession(alice->id, "sh1", 1, 2, "").status().code(), Code::kConflict);
  auto found = store_->FindSessionByHash("sh1");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->id, s1->id);
  EXPECT_EQ(found->user_agent, "firefox");
  EXPECT_EQ(found->last_seen_at, 100);
  ASSERT_TRUE(store_->TouchSession(s1->id, 150, 250).ok());
  found = store_->FindSessionByHash("sh1");
  EXPECT_EQ(found->last_seen_at, 150);
  EXPECT_EQ(found->expires_at, 250);
  EXPECT_EQ(store_->FindSessionByHash("nope").status().code(), Code::kNotFound);

  ASSERT_TRUE(store_->DeleteUserSessions(alice->id, s2->id).ok());
  EXPECT_FALSE(store_->FindSessionByHash("sh1").ok());
  EXPECT_TRUE(store_->FindSessionByHash("sh2").ok());
  EXPECT_FALSE(store_->FindSessionByHash("sh3").ok());
  ASSERT_TRUE(store_->DeleteSession(s2->id).ok());
  EXPECT_FALSE(store_->FindSessionByHash("sh2").ok());

  ASSERT_TRUE(store_->CreateSession(alice->id, "sh4", 100, 200, "").ok());
  ASSERT_TRUE(store_->DeleteUserSessions(alice->id, 0).ok());
  EXPECT_FALSE(store_->FindSessionByHash("sh4").ok());
}

TEST_F(SqliteStoreTest, InvitationIsUsedOnceAndNotAfterItExpires) {
  auto alice = store_->CreateAccount({0, "alice", AccountKind::kUser});
  ASSERT_TRUE(alice.ok());
  ASSERT_TRUE(store_->CreateInvitation("inv1", alice->id, 100, 200).ok());
  ASSERT_TRUE(store_->CreateInvitation("inv2", 0, 100, 200).ok());  // from the admin CLI
  EXPECT_EQ(store_->CreateInvitation("inv1", alice->id, 100, 200).code(), Code::kConflict);
  EXPECT_TRUE(*store_->UseInvitation("inv1", 150));
  EXPECT_FALSE(*store_->UseInvitation("inv1", 160));
  EXPECT_FALSE(*store_->UseInvitation("inv2", 200));  // expired at its expiry time
  EXPECT_FALSE(*store_->UseInvitation("unknown", 150));
  EXPECT_TRUE(*store_->UseInvitation("inv2", 199));
}

}  // namespace
}  // namespace spacehub::db
