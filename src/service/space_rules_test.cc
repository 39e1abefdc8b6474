#include "service/space_rules.h"

#include <gtest/gtest.h>

namespace spacehub::service {
namespace {

Flavor Free() {
  Flavor f;
  f.name = "cpu-basic";
  f.free = true;
  return f;
}
Flavor Paid() {
  Flavor f;
  f.name = "t4-medium";
  return f;
}

TEST(SleepTimeTest, Table) {
  struct Case {
    Flavor flavor;
    std::optional<int64_t> seconds;
    bool ok;
    std::optional<int64_t> stored;
  };
  const Case cases[] = {
      {Free(), 3600, false, std::nullopt},
      {Free(), -1, false, std::nullopt},
      {Free(), std::nullopt, false, std::nullopt},
      {Free(), kFreeSleepSeconds, true, std::nullopt},
      {Paid(), 3600, true, 3600},
      {Paid(), 300, true, 300},
      {Paid(), 299, false, std::nullopt},
      {Paid(), 0, false, std::nullopt},
      {Paid(), -5, false, std::nullopt},
      {Paid(), -1, true, std::nullopt},
      {Paid(), std::nullopt, true, std::nullopt},
  };
  for (const auto& c : cases) {
    auto r = ValidateSleepTime(c.seconds, c.flavor, kDefaultMinSleepSeconds);
    EXPECT_EQ(r.ok(), c.ok) << c.flavor.name << " " << c.seconds.value_or(-99);
    if (r.ok()) {
      EXPECT_EQ(*r, c.stored);
    } else {
      EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
    }
  }
  auto refused = ValidateSleepTime(3600, Free(), 300);
  EXPECT_NE(refused.status().message().find("48 hours"), std::string::npos);
  // The minimum is settable (tests use a short one).
  EXPECT_TRUE(ValidateSleepTime(10, Paid(), 5).ok());
}

TEST(SleepTimeTest, Effective) {
  EXPECT_EQ(EffectiveSleepTime(Free(), std::nullopt), kFreeSleepSeconds);
  EXPECT_EQ(EffectiveSleepTime(Free(), 3600), kFreeSleepSeconds);
  EXPECT_EQ(EffectiveSleepTime(Paid(), std::nullopt), std::nullopt);
  EXPECT_EQ(EffectiveSleepTime(Paid(), 3600), 3600);
}

TEST(StorageTierTest, Table) {
  struct Case {
    const char* current;
    const char* requested;
    bool ok;
  };
  const Case cases[] = {
      {"", "small", true},        {"", "large", true},        {"small", "small", true},
      {"small", "medium", true},  {"medium", "large", true},  {"large", "small", false},
      {"medium", "small", false}, {"large", "medium", false}, {"", "huge", false},
      {"small", "", false},       {"small", "SMALL", false},
  };
  for (const auto& c : cases) {
    Status st = CheckStorageChange(c.current, c.requested);
    EXPECT_EQ(st.ok(), c.ok) << c.current << " -> " << c.requested;
  }
  EXPECT_NE(CheckStorageChange("large", "small").message().find("Delete the storage first"),
            std::string::npos);
}

TEST(EntryKeyTest, Table) {
  for (const char* good : {"HF_TOKEN", "a", "Model_Repo_1"})
    EXPECT_TRUE(ValidateEntryKey(good).ok());
  for (const char* bad : {"", "1ABC", "_X", "A-B", "A B", "A.B", "É"}) {
    EXPECT_FALSE(ValidateEntryKey(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace spacehub::service
