// README front matter (service/front_matter.h): any README a user pushes. The YAML block found is
// the text between the first two `---` lines, the result is null or an object, and what is
// rendered from it can always be sent (Response::Json replaces invalid UTF-8 the same way).
#include <nlohmann/json.hpp>
#include <string>

#include "fuzz/fuzz_check.h"
#include "service/front_matter.h"

using namespace spacehub;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view readme = spacehub::fuzz::AsText(data, size);
  std::optional<std::string> yaml = service::ExtractFrontMatter(readme);
  if (yaml) {
    std::string_view rest = readme;
    if (rest.starts_with("\xEF\xBB\xBF")) rest.remove_prefix(3);
    FUZZ_CHECK(rest.starts_with("---\n") || rest.starts_with("---\r\n"));
    const size_t body = rest.find('\n') + 1;
    FUZZ_CHECK(rest.substr(body, yaml->size()) == *yaml);
    // The block is followed by a closing `---` line.
    std::string_view after = rest.substr(body + yaml->size());
    FUZZ_CHECK(after.starts_with("---"));
    after.remove_prefix(3);
    FUZZ_CHECK(after.empty() || after[0] == '\n' || after.starts_with("\r\n") || after == "\r");
  }
  auto parsed = service::ParseFrontMatter(readme);
  if (!parsed.ok()) {
    FUZZ_CHECK(yaml.has_value());
    FUZZ_CHECK(parsed.status().code() == Code::kInvalidArgument);
    return 0;
  }
  FUZZ_CHECK(yaml ? parsed->is_object() : parsed->is_null());
  const std::string text = parsed->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  FUZZ_CHECK(!text.empty());
  return 0;
}
