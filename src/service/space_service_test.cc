// SpaceService's use cases over a real SQLite hub in a temporary directory and a FakeClock, with
// no runtime (Hub::runtime null, as in `spacehub admin`): who may manage a Space, what secrets
// reveal, what a duplicate takes along, the sleep-time rules and the runtime view's stage. Each
// attack is beside the legitimate use it must not block.
#include "service/space_service.h"

#include <gtest/gtest.h>

#include "service/hub_instance.h"
#include "service/refs_updated.h"
#include "service/test_util.h"

namespace spacehub::service {
namespace {

class SpaceServiceTest : public HubTest {
 protected:
  void SetUp() override {
    OpenHub();
    alice_ = User("alice");
    bob_ = User("bob");
    repos_ = std::make_unique<RepoService>(hub());
    spaces_ = std::make_unique<SpaceService>(hub(), *repos_);
  }

  db::RepoRow CreateSpace(const std::string& name, bool is_private = false) {
    CreateRepoInput in;
    in.type = RepoType::kSpace;
    in.ns = "alice";
    in.name = name;
    in.sdk = "gradio";
    in.is_private = is_private;
    auto row = spaces_->Create(alice_, in, SpaceParams{}, "http://127.0.0.1");
    EXPECT_TRUE(row.ok()) << row.status().message();
    return row.ok() ? *row : db::RepoRow{};
  }

  void CommitApp(const db::RepoRow& row) {
    repo::CommitRequest c;
    c.ref = "refs/heads/main";
    c.summary = "app";
    c.author_name = "alice";
    c.author_email = "alice@users.noreply.spacehub";
    c.ops.push_back(repo::AddFile{"app.py", "print('hi')\n"});
    ASSERT_TRUE(hub().repos.Commit(row.repo, c).ok());
    OnRefsUpdated(hub(), row, {"refs/heads/main"});
  }

  Caller alice_, bob_;
  std::unique_ptr<RepoService> repos_;
  std::unique_ptr<SpaceService> spaces_;
};

TEST_F(SpaceServiceTest, OnlyTheOwnerManagesAndAPrivateSpaceStaysHidden) {
  db::RepoRow open = CreateSpace("open");
  db::RepoRow hidden = CreateSpace("hidden", /*is_private=*/true);
  EXPECT_TRUE(spaces_->Pause(alice_, open.repo).ok());

  auto pause = spaces_->Pause(bob_, open.repo);
  ASSERT_FALSE(pause.ok());
  EXPECT_EQ(pause.status().code(), Code::kPermissionDenied);
  auto anonymous = spaces_->Restart(std::nullopt, open.repo, /*factory=*/false);
  EXPECT_FALSE(anonymous.ok());
  // A private Space: a stranger cannot even learn that it exists.
  for (const Caller& who : {bob_, Caller()}) {
    auto secrets = spaces_->Secrets(who, hidden.repo);
    ASSERT_FALSE(secrets.ok());
    EXPECT_EQ(secrets.status().code(), Code::kNotFound);
    EXPECT_EQ(spaces_->Runtime(who, hidden.repo).status().code(), Code::kNotFound);
  }
  EXPECT_TRUE(spaces_->Runtime(bob_, open.repo).ok());  // a public runtime is readable
}

TEST_F(SpaceServiceTest, SecretsAreNeverReadBackAndADuplicateTakesOnlyVariables) {
  db::RepoRow row = CreateSpace("source");
  ASSERT_TRUE(spaces_->AddSecret(alice_, row.repo, {"TOKEN", "s3cret", std::nullopt}).ok());
  ASSERT_TRUE(spaces_->AddVariable(alice_, row.repo, {"MODE", "fast", "how"}).ok());
  auto secrets = spaces_->Secrets(alice_, row.repo);
  ASSERT_TRUE(secrets.ok());
  ASSERT_EQ(secrets->size(), 1u);
  EXPECT_EQ((*secrets)[0].key, "TOKEN");
  EXPECT_EQ((*secrets)[0].value, "");  // write-only
  EXPECT_EQ((*secrets)[0].updated_at, clock_.NowMillis());
  // Only the engine gets the value, decrypted.
  auto env = spaces_->SecretEnvironment(row);
  ASSERT_TRUE(env.ok());
  EXPECT_EQ(env->at("TOKEN"), "s3cret");

  DuplicateInput in;
  in.to = RepoId{RepoType::kSpace, "bob", "copy"};
  auto copy = spaces_->Duplicate(bob_, row.repo, in, "http://127.0.0.1");
  ASSERT_TRUE(copy.ok()) << copy.status().message();
  auto vars = spaces_->Variables(bob_, copy->repo);
  ASSERT_TRUE(vars.ok());
  ASSERT_EQ(vars->size(), 1u);
  EXPECT_EQ((*vars)[0].value, "fast");
  auto copied_secrets = spaces_->Secrets(bob_, copy->repo);
  ASSERT_TRUE(copied_secrets.ok());
  EXPECT_TRUE(copied_secrets->empty());
}

TEST_F(SpaceServiceTest, SleepTimeIsFixedOnFreeHardwareAndBoundedElsewhere) {
  db::RepoRow row = CreateSpace("sleeper");
  auto free_custom = spaces_->SetSleepTime(alice_, row.repo, 3600);
  ASSERT_FALSE(free_custom.ok());
  EXPECT_EQ(free_custom.status().code(), Code::kInvalidArgument);

  // Upgraded hardware needs the administrator's grant.
  auto refused = spaces_->RequestHardware(alice_, row.repo, "cpu-upgrade", std::nullopt);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Code::kPermissionDenied);
  ASSERT_TRUE(hub().db.SetHardwareGrant((*alice_).user.id, "cpu-upgrade", true).ok());
  ASSERT_TRUE(spaces_->RequestHardware(alice_, row.repo, "cpu-upgrade", std::nullopt).ok());
  const int64_t min = hub().options.space_min_sleep_seconds;
  auto too_short = spaces_->SetSleepTime(alice_, row.repo, min - 1);
  EXPECT_EQ(too_short.status().code(), Code::kInvalidArgument);
  auto ok = spaces_->SetSleepTime(alice_, row.repo, min);
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(ok->gc_timeout, min);
}

TEST_F(SpaceServiceTest, RuntimeViewWithoutAnEngine) {
  db::RepoRow row = CreateSpace("view");
  auto view = spaces_->RuntimeOf(row);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->stage, SpaceStage::kNoAppFile);  // the new Space has no app.py yet
  ASSERT_TRUE(view->error_message);
  EXPECT_NE(view->error_message->find("app.py"), std::string::npos);

  CommitApp(row);
  view = spaces_->RuntimeOf(row);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->stage, SpaceStage::kStopped);  // settings are kept for when a runtime runs

  clock_.AdvanceSeconds(90);
  ASSERT_TRUE(spaces_->Pause(alice_, row.repo).ok());
  view = spaces_->RuntimeOf(row);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->stage, SpaceStage::kPaused);
  auto events = spaces_->Events(alice_, row.repo, 10);
  ASSERT_TRUE(events.ok());
  ASSERT_FALSE(events->empty());
  EXPECT_EQ(events->back().at, clock_.NowMillis());  // dated by the hub's clock
}

}  // namespace
}  // namespace spacehub::service
