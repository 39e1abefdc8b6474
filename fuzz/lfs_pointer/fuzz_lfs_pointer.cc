// LFS pointers (repo/types.h) in any blob a commit or a push brings. The security invariant of
// issue 13 item 1: every blob the hub would serve as an LFS file (ParseLfsPointer) is also one the
// link checks see (DetectLfsPointer, the reading every way into a repo uses), naming the same
// object; and what the hub writes (FormatLfsPointer) reads back as itself.
#include <string>

#include "fuzz/fuzz_check.h"
#include "repo/types.h"

using namespace spacehub;

namespace {

bool LowerHex64(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

void CheckFormatted(const repo::LfsPointer& p) {
  const std::string text = repo::FormatLfsPointer(p);
  auto strict = repo::ParseLfsPointer(text);
  FUZZ_CHECK(strict && strict->oid == p.oid && strict->size == p.size);
  auto lenient = repo::DetectLfsPointer(text);
  FUZZ_CHECK(lenient && lenient->oid == p.oid && lenient->size == p.size);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view blob = spacehub::fuzz::AsText(data, size);
  auto strict = repo::ParseLfsPointer(blob);
  auto lenient = repo::DetectLfsPointer(blob);
  if (strict) {
    FUZZ_CHECK(blob.size() <= 1024);
    FUZZ_CHECK(LowerHex64(strict->oid));
    FUZZ_CHECK(lenient.has_value());
    FUZZ_CHECK(lenient->oid == strict->oid && lenient->size == strict->size);
    CheckFormatted(*strict);
  }
  if (lenient) {
    FUZZ_CHECK(lenient->oid.size() == 64);
    FUZZ_CHECK(lenient->size <= static_cast<uint64_t>(INT64_MAX));
    if (LowerHex64(lenient->oid)) CheckFormatted(*lenient);
  }
  return 0;
}
