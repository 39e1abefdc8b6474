// Test support for service/ (tests only): a hub over a real SQLite store in a temporary directory,
// on a FakeClock, with a hardware catalog made for tests, and callers made from new users. One
// fixture per test; not shared between threads except through the Hub's own thread-safe parts.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "service/access.h"
#include "service/hub_instance.h"
#include "testing/fake_clock.h"
#include "testing/temp_dir.h"

namespace spacehub::service {

// cpu-basic is free (sleeps after 48 h); cpu-upgrade is paid with no limit; t4-small has one unit
// (the "last GPU"); a10g-small three.
inline constexpr const char* kTestCatalog = R"(default: cpu-basic
flavors:
  - name: cpu-basic
    vcpu: 2
    memory_gb: 16
    free: true
  - name: cpu-upgrade
    vcpu: 8
    memory_gb: 32
    price_per_hour: 0.03
  - name: t4-small
    vcpu: 4
    memory_gb: 15
    gpu_count: 1
    gpu_model: T4
    gpu_manufacturer: Nvidia
    gpu_memory_gb: 16
    price_per_hour: 0.4
    capacity: 1
  - name: a10g-small
    vcpu: 4
    memory_gb: 15
    gpu_count: 1
    gpu_model: A10G
    gpu_manufacturer: Nvidia
    gpu_memory_gb: 24
    price_per_hour: 1.0
    capacity: 3
)";

class HubTest : public spacehub::testing::TempDirTest {
 protected:
  // Writes kTestCatalog as hardware.yaml and opens the hub on clock_.
  void OpenHub(const HubOptions& options = HubOptions{}) {
    spacehub::testing::WriteFile(dir_ / "hardware.yaml", kTestCatalog);
    auto opened = HubInstance::Open(dir_, options, clock_);
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    instance_ = std::move(*opened);
  }

  Hub& hub() { return instance_->hub(); }

  // A new user holding a write token; with `all_flavors`, granted every flavor by an
  // administrator (the legitimate way to upgraded hardware).
  Caller User(const std::string& name, bool all_flavors = false) {
    auto account = hub().identity.CreateUser(name, /*is_admin=*/false);
    EXPECT_TRUE(account.ok()) << account.status().message();
    auth::Principal p;
    p.user = account.ok() ? *account : db::Account{};
    p.token.user_id = p.user.id;
    p.token.role = db::Role::kWrite;
    if (all_flavors) {
      EXPECT_TRUE(hub().db.SetHardwareGrant(p.user.id, "*", true).ok());
    }
    return p;
  }

  spacehub::testing::FakeClock clock_;
  std::unique_ptr<HubInstance> instance_;
};

}  // namespace spacehub::service
