#include "service/hardware_catalog.h"

#include <gtest/gtest.h>

namespace spacehub::service {
namespace {

TEST(HardwareCatalogTest, DefaultListsTheHubFlavors) {
  auto c = ParseHardwareCatalog(DefaultHardwareCatalogYaml());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->default_flavor, "cpu-basic");
  for (const char* name :
       {"cpu-basic",  "cpu-upgrade", "cpu-xl",     "zero-a10g",    "t4-small",
        "t4-medium",  "l4x1",        "l4x4",       "l40sx1",       "l40sx4",
        "l40sx8",     "a10g-small",  "a10g-large", "a10g-largex2", "a10g-largex4",
        "a100-large", "a100x4",      "a100x8",     "h100",         "h100x8"}) {
    EXPECT_NE(c->Find(name), nullptr) << name;
  }
  const Flavor* basic = c->Find("cpu-basic");
  EXPECT_TRUE(basic->free);
  EXPECT_EQ(basic->vcpu, 2);
  EXPECT_EQ(basic->memory_gb, 16);
  EXPECT_FALSE(basic->capacity.has_value());
  const Flavor* t4 = c->Find("t4-medium");
  EXPECT_FALSE(t4->free);
  EXPECT_EQ(t4->gpu_count, 1);
  EXPECT_EQ(t4->gpu_model, "T4");
  EXPECT_EQ(t4->capacity, 0);
  EXPECT_DOUBLE_EQ(*t4->price_per_hour, 0.60);
  EXPECT_EQ(c->Find("nope"), nullptr);
}

TEST(HardwareCatalogTest, Errors) {
  struct Case {
    const char* yaml;
    const char* message_has;
  };
  const Case cases[] = {
      {"flavors: [", "invalid YAML"},
      {"- a\n- b\n", "'flavors'"},
      {"flavors: []\n", "no flavors"},
      {"flavors:\n  - vcpu: 2\n", "no 'name'"},
      {"flavors:\n  - name: a b\n", "invalid flavor name"},
      {"default: a\nflavors:\n  - name: a\n  - name: a\n", "twice"},
      {"default: a\nflavors:\n  - name: a\n    vcpu: many\n", "'vcpu'"},
      {"default: a\nflavors:\n  - name: a\n    capacity: -1\n", "'capacity'"},
      {"default: a\nflavors:\n  - name: a\n    free: maybe\n", "'free'"},
      {"flavors:\n  - name: a\n", "default flavor 'cpu-basic'"},
      {"default: a\nflavors:\n  - name: a\n    slurm: gpu\n", "'slurm' must be a mapping"},
      {"default: a\nflavors:\n  - name: a\n    slurm: {partition: [x]}\n", "'partition' must"},
      {"default: a\nflavors:\n  - name: a\n    slurm: {partition: \"a b\"}\n", "not a valid"},
      {"default: a\nflavors:\n  - name: a\n    slurm: {partition: --uid=0}\n", "not a valid"},
      {"default: a\nflavors:\n  - name: a\n    slurm: {gres: \"gpu;rm\"}\n", "not a valid"},
      {"default: a\nflavors:\n  - name: a\n    slurm: {gres: \"\"}\n", "not a valid"},
      {"default: a\nflavors:\n  - name: a\n    slurm: {qos: high}\n", "unknown key 'qos'"},
  };
  for (const auto& c : cases) {
    auto r = ParseHardwareCatalog(c.yaml);
    ASSERT_FALSE(r.ok()) << c.yaml;
    EXPECT_NE(r.status().message().find(c.message_has), std::string::npos) << r.status().message();
  }
}

TEST(HardwareCatalogTest, CustomCatalog) {
  auto c = ParseHardwareCatalog(
      "default: small\nflavors:\n  - name: small\n    free: true\n  - name: gpu\n    gpu_count: 2\n"
      "    capacity: 3\n    price_per_hour: 1.5\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->Names(), "small, gpu");
  EXPECT_EQ(c->Find("gpu")->capacity, 3);
  EXPECT_EQ(c->Find("gpu")->gpu_count, 2);
  EXPECT_FALSE(c->Find("gpu")->slurm.has_value());
}

TEST(HardwareCatalogTest, SlurmPlacement) {
  auto c = ParseHardwareCatalog(
      "default: small\nflavors:\n  - name: small\n    slurm: {partition: cpu}\n"
      "  - name: gpu\n    gpu_count: 1\n    slurm:\n      partition: gpu.a100\n"
      "      gres: \"gpu:a100:1\"\n  - name: none\n    slurm: {}\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_TRUE(c->Find("small")->slurm.has_value());
  EXPECT_EQ(c->Find("small")->slurm->partition, "cpu");
  EXPECT_EQ(c->Find("small")->slurm->gres, "");
  EXPECT_EQ(c->Find("gpu")->slurm->partition, "gpu.a100");
  EXPECT_EQ(c->Find("gpu")->slurm->gres, "gpu:a100:1");
  ASSERT_TRUE(c->Find("none")->slurm.has_value());
  EXPECT_EQ(c->Find("none")->slurm->partition, "");
}

}  // namespace
}  // namespace spacehub::service
