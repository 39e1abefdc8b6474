// Test helpers for the repo layer: the temp-dir fixture and shorthands for commits. Tests only.
// Thread-safety: the fixture is per test; helpers are stateless.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "core/repo_id.h"
#include "repo/repo_store.h"
#include "testing/temp_dir.h"

namespace spacehub::repo::testing {

// The shared fixture (testing/temp_dir.h), under the name the repo tests use.
using TempDirTest = ::spacehub::testing::TempDirTest;

inline RepoId Model(std::string ns, std::string name) {
  return RepoId{RepoType::kModel, std::move(ns), std::move(name)};
}

inline CommitRequest Request(std::string summary, std::vector<CommitOp> ops,
                             std::string ref = "refs/heads/main") {
  CommitRequest r;
  r.ref = std::move(ref);
  r.summary = std::move(summary);
  r.author_name = "Tester";
  r.author_email = "tester@example.com";
  r.ops = std::move(ops);
  return r;
}

// Runs a shell command, returning its exit status and (stdout+stderr) output.
inline int RunShell(const std::string& cmd, std::string* output) {
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) return -1;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) output->append(buf, n);
  return pclose(p);
}

}  // namespace spacehub::repo::testing
