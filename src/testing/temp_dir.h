// Test support: a private temporary directory that is removed when the test ends, pass or fail.
// TempDir is the RAII object; TempDirTest is the GoogleTest fixture most tests derive from. Tests
// only (linked into every *_test binary). One TempDir per test; not shared between threads.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string_view>

namespace spacehub::testing {

class TempDir {
 public:
  // Creates <tmp>/spacehub-<prefix>-XXXXXX (mode 0700); aborts the process if it cannot.
  explicit TempDir(std::string_view prefix = "test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

class TempDirTest : public ::testing::Test {
 protected:
  TempDir tmp_;
  const std::filesystem::path& dir_ = tmp_.path();
};

// Writes `content` to `path`, creating parent directories; fails the test if it cannot.
void WriteFile(const std::filesystem::path& path, std::string_view content);
// The whole content of `path` ("" when missing).
std::string ReadFile(const std::filesystem::path& path);

}  // namespace spacehub::testing
