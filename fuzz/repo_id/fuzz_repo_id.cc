// Repo ids and repo paths (core/repo_id.h): what validation accepts can be joined under a
// directory without leaving it, and an accepted id is exactly the text it was parsed from.
#include <filesystem>
#include <string>

#include "core/repo_id.h"
#include "fuzz/fuzz_check.h"

using namespace spacehub;

namespace {

bool NameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.';
}

// What every layer below the api relies on for a namespace or repo name.
void CheckName(std::string_view s, size_t max) {
  FUZZ_CHECK(!s.empty() && s.size() <= max);
  for (char c : s) FUZZ_CHECK(NameChar(c));
  FUZZ_CHECK(s.find("..") == std::string_view::npos);
  FUZZ_CHECK(s.front() != '-' && s.front() != '.' && s != "." && s != "..");
}

void CheckPath(std::string_view path) {
  if (!ValidateRepoPath(path).ok()) return;
  FUZZ_CHECK(!path.empty() && path.size() <= 1024 && path.front() != '/');
  for (char c : path) {
    FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f && c != '\\');
  }
  // Joined under a directory, the path stays under it (no "..", no absolute path) and is not in
  // the repository's own .git.
  const std::filesystem::path base("/repo");
  const std::string joined = (base / std::string(path)).lexically_normal().string();
  FUZZ_CHECK(joined.starts_with("/repo/"));
  const std::string rel = joined.substr(6);
  FUZZ_CHECK(!rel.empty());
  size_t start = 0;
  while (start <= rel.size()) {
    size_t end = rel.find('/', start);
    if (end == std::string::npos) end = rel.size();
    std::string seg = rel.substr(start, end - start);
    for (char& c : seg) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    FUZZ_CHECK(seg != ".." && seg != ".git");
    start = end + 1;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const RepoType type = static_cast<RepoType>(data[0] % 3);
  const std::string_view text = spacehub::fuzz::AsText(data + 1, size - 1);

  auto id = ParseRepoId(type, text);
  if (id.ok()) {
    FUZZ_CHECK(id->type == type);
    FUZZ_CHECK(id->Full() == text);
    CheckName(id->ns, 42);
    CheckName(id->name, 96);
    FUZZ_CHECK(!id->name.ends_with(".git"));
    auto again = MakeRepoId(type, id->ns, id->name);
    FUZZ_CHECK(again.ok() && *again == *id);
    // An id is safe as two path components.
    FUZZ_CHECK(ValidateRepoPath(id->Full()).ok());
  }
  // The same bytes as a namespace and a name split at the first NUL (MakeRepoId, route params).
  const size_t nul = text.find('\0');
  if (nul != std::string_view::npos) {
    auto made = MakeRepoId(type, text.substr(0, nul), text.substr(nul + 1));
    if (made.ok()) {
      CheckName(made->ns, 42);
      CheckName(made->name, 96);
    }
  }
  CheckPath(text);
  return 0;
}
