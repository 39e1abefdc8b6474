// What git receive-pack hands the pre-receive hook (service/ref_updates.h), as a pusher can shape
// it: ref updates parse into hex ids and a ref without whitespace, and a ref name the rule lets
// through is a branch or tag with no "..", no empty component and none beginning with '-' or '.'.
#include <string>

#include "fuzz/fuzz_check.h"
#include "service/ref_updates.h"

using namespace spacehub;

namespace {

void CheckRefName(const std::string& ref) {
  if (!service::CheckPushedRefName(ref).empty()) return;
  FUZZ_CHECK(ref.starts_with("refs/heads/") || ref.starts_with("refs/tags/"));
  FUZZ_CHECK(ref.find("..") == std::string::npos);
  size_t start = 0;
  while (start <= ref.size()) {
    size_t end = ref.find('/', start);
    if (end == std::string::npos) end = ref.size();
    std::string_view part(ref.data() + start, end - start);
    FUZZ_CHECK(!part.empty() && part.front() != '-' && part.front() != '.');
    start = end + 1;
  }
}

bool Hex(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = spacehub::fuzz::AsText(data, size);
  auto updates = service::ParseRefUpdates(text);
  if (updates.ok()) {
    std::string rendered;
    for (const auto& u : *updates) {
      FUZZ_CHECK(Hex(u.old_id) && Hex(u.new_id) && !u.ref.empty());
      FUZZ_CHECK(u.ref.find_first_of(" \t\n\r\v\f") == std::string::npos);
      CheckRefName(u.ref);
      rendered += u.old_id + " " + u.new_id + " " + u.ref + "\n";
    }
    auto again = service::ParseRefUpdates(rendered);
    FUZZ_CHECK(again.ok() && again->size() == updates->size());
    for (size_t i = 0; i < updates->size(); ++i) {
      FUZZ_CHECK((*again)[i].old_id == (*updates)[i].old_id);
      FUZZ_CHECK((*again)[i].new_id == (*updates)[i].new_id);
      FUZZ_CHECK((*again)[i].ref == (*updates)[i].ref);
    }
  }
  CheckRefName(std::string(text));
  return 0;
}
