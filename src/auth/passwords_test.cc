#include "auth/passwords.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace spacehub::auth {
namespace {

TEST(PasswordsTest, HashIsArgon2idWithOwaspParametersAndVerifies) {
  auto phc = HashPassword("correct horse battery staple");
  ASSERT_TRUE(phc.ok()) << phc.status().ToString();
  EXPECT_EQ(phc->rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0u) << *phc;
  EXPECT_EQ(phc->find('\0'), std::string::npos);
  EXPECT_TRUE(VerifyPassword("correct horse battery staple", *phc));
  EXPECT_FALSE(VerifyPassword("correct horse battery stapl", *phc));
  EXPECT_FALSE(VerifyPassword("", *phc));
}

TEST(PasswordsTest, SaltMakesEachHashDifferent) {
  auto a = HashPassword("same password");
  auto b = HashPassword("same password");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  EXPECT_TRUE(VerifyPassword("same password", *b));
}

TEST(PasswordsTest, MalformedOrForeignHashesNeverVerify) {
  auto phc = HashPassword("pw");
  ASSERT_TRUE(phc.ok());
  std::string argon2i = *phc;
  argon2i.replace(0, 9, "$argon2i");  // "$argon2id" -> "$argon2i"
  for (const std::string& bad :
       {std::string(), std::string("plaintext"), std::string("$argon2id$"), argon2i,
        phc->substr(0, phc->size() - 4), *phc + "AAAA", std::string("$argon2id$\0x", 12)}) {
    EXPECT_FALSE(VerifyPassword("pw", bad)) << bad;
  }
}

TEST(PasswordsTest, BytesAfterANulAreNotIgnored) {
  auto phc = HashPassword(std::string("abc\0def", 7));
  ASSERT_TRUE(phc.ok());
  EXPECT_TRUE(VerifyPassword(std::string("abc\0def", 7), *phc));
  EXPECT_FALSE(VerifyPassword("abc", *phc));
}

TEST(PasswordsTest, ManyConcurrentHashesAllComplete) {
  // More threads than hash slots: the extra ones wait for a slot, none fails.
  std::vector<std::thread> threads;
  std::vector<int> ok(12, 0);
  for (size_t i = 0; i < ok.size(); ++i) {
    threads.emplace_back([&, i] {
      auto h = HashPassword("pw" + std::to_string(i));
      ok[i] = h.ok() && VerifyPassword("pw" + std::to_string(i), *h) ? 1 : 0;
    });
  }
  for (auto& t : threads) t.join();
  for (int v : ok) EXPECT_EQ(v, 1);
}

}  // namespace
}  // namespace spacehub::auth
