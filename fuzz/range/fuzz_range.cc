// http::ParseRange against any header and file size: a satisfiable range lies inside the file, and
// the range it names, written back as a canonical header, parses to itself.
#include <cstring>
#include <string>

#include "fuzz/fuzz_check.h"
#include "http/range.h"

using spacehub::http::ByteRange;
using spacehub::http::ParseRange;

namespace {

void Check(std::string_view header, uint64_t total) {
  ByteRange r = ParseRange(header, total);
  switch (r.kind) {
    case ByteRange::Kind::kSatisfiable: {
      FUZZ_CHECK(r.length > 0);
      FUZZ_CHECK(r.first < total);
      FUZZ_CHECK(r.length <= total - r.first);
      const uint64_t last = r.first + r.length - 1;
      ByteRange again =
          ParseRange("bytes=" + std::to_string(r.first) + "-" + std::to_string(last), total);
      FUZZ_CHECK(again.kind == ByteRange::Kind::kSatisfiable);
      FUZZ_CHECK(again.first == r.first && again.length == r.length);
      break;
    }
    case ByteRange::Kind::kUnsatisfiable:
    case ByteRange::Kind::kIgnore:
      FUZZ_CHECK(r.first == 0 && r.length == 0);
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  uint64_t total = 0;
  if (size >= sizeof total) {
    std::memcpy(&total, data, sizeof total);
    data += sizeof total;
    size -= sizeof total;
  }
  const std::string_view header = spacehub::fuzz::AsText(data, size);
  Check(header, total);
  Check(header, total % 4096);  // sizes a short header can reach
  Check(header, 0);
  return 0;
}
