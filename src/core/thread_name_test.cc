#include "core/thread_name.h"

#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <thread>

namespace spacehub {
namespace {

// What the kernel shows for the calling thread (ps -L, top -H, /proc/PID/task/TID/comm).
std::string KernelName() {
  std::ifstream in("/proc/self/task/" + std::to_string(::syscall(SYS_gettid)) + "/comm");
  std::string name;
  std::getline(in, name);
  return name;
}

TEST(ThreadNameTest, TheKernelShowsTheName) {
  std::string seen;
  std::thread t([&] {
    NameThisThread("job-engine");
    seen = KernelName();
  });
  t.join();
  EXPECT_EQ(seen, "job-engine");
}

TEST(ThreadNameTest, ALongNameIsCutToFifteenBytesInsteadOfRefused) {
  std::string seen;
  std::thread t([&] {
    NameThisThread("a-name-longer-than-fifteen");
    seen = KernelName();
  });
  t.join();
  EXPECT_EQ(seen, "a-name-longer-t");
}

}  // namespace
}  // namespace spacehub
