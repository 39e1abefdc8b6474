#include "core/repo_id.h"

#include <array>
#include <cctype>

namespace spacehub {
namespace {

constexpr size_t kMaxRepoName = 96;
constexpr size_t kMaxNamespace = 42;
constexpr size_t kMaxPath = 1024;

// Names that would collide with web routes or API prefixes.
// The web UI's own top-level paths are here too: a user named "login" would have no page.
constexpr std::array<std::string_view, 16> kReserved = {
    "api",    "datasets",      "spaces", "models",  "new",    "settings", "join",      "login",
    "logout", "organizations", "docs",   "pricing", "static", "resolve",  "new-space", "jobs"};

bool IsAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

Status ValidateName(std::string_view what, std::string_view s, size_t max_len) {
  if (s.empty()) return Status::InvalidArgument(std::string(what) + " must not be empty");
  if (s.size() > max_len) {
    return Status::InvalidArgument(std::string(what) + " is longer than " +
                                   std::to_string(max_len) + " characters");
  }
  for (char c : s) {
    if (!IsAlnum(c) && c != '-' && c != '_' && c != '.') {
      return Status::InvalidArgument(std::string(what) +
                                     " may contain only letters, digits, '-', '_' and '.'");
    }
  }
  if (!IsAlnum(s.front()) || !IsAlnum(s.back())) {
    return Status::InvalidArgument(std::string(what) +
                                   " must start and end with a letter or digit");
  }
  if (s.find("--") != std::string_view::npos || s.find("..") != std::string_view::npos) {
    return Status::InvalidArgument(std::string(what) + " must not contain '--' or '..'");
  }
  for (std::string_view r : kReserved) {
    if (s.size() == r.size() && std::equal(s.begin(), s.end(), r.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == b;
        })) {
      return Status::InvalidArgument(std::string(what) + " '" + std::string(s) + "' is reserved");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<RepoType> ParseRepoType(std::string_view t) {
  if (std::optional<RepoType> type = wire::ParseRepoTypeName(t)) return *type;
  return Status::InvalidArgument("Invalid repo type '" + std::string(t) +
                                 "': expected model, dataset or space");
}

Status ValidateRepoName(std::string_view name) {
  SH_TRY(ValidateName("Repository name", name, kMaxRepoName));
  if (name.size() >= 4 && name.substr(name.size() - 4) == ".git") {
    return Status::InvalidArgument("Repository name must not end with '.git'");
  }
  return Status::Ok();
}

Status ValidateNamespace(std::string_view ns) {
  return ValidateName("Namespace", ns, kMaxNamespace);
}

Result<RepoId> MakeRepoId(RepoType type, std::string_view ns, std::string_view name) {
  SH_TRY(ValidateNamespace(ns));
  SH_TRY(ValidateRepoName(name));
  return RepoId{type, std::string(ns), std::string(name)};
}

Result<RepoId> ParseRepoId(RepoType type, std::string_view full) {
  size_t slash = full.find('/');
  if (slash == std::string_view::npos || full.find('/', slash + 1) != std::string_view::npos) {
    return Status::InvalidArgument("Repo id must be in the form 'namespace/name': '" +
                                   std::string(full) + "'");
  }
  return MakeRepoId(type, full.substr(0, slash), full.substr(slash + 1));
}

Status ValidateRepoPath(std::string_view path) {
  if (path.empty()) return Status::InvalidArgument("File path must not be empty");
  if (path.size() > kMaxPath) {
    return Status::InvalidArgument("File path is longer than " + std::to_string(kMaxPath) +
                                   " bytes");
  }
  if (path.front() == '/') {
    return Status::InvalidArgument("File path must be relative: " + std::string(path));
  }
  for (char c : path) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == '\\') {
      return Status::InvalidArgument("File path contains a forbidden character");
    }
  }
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view seg = path.substr(start, end - start);
    if (seg.empty() || seg == "." || seg == "..") {
      return Status::InvalidArgument("File path has an empty, '.' or '..' segment: " +
                                     std::string(path));
    }
    if (seg.size() == 4 && (seg[0] == '.') &&
        std::tolower(static_cast<unsigned char>(seg[1])) == 'g' &&
        std::tolower(static_cast<unsigned char>(seg[2])) == 'i' &&
        std::tolower(static_cast<unsigned char>(seg[3])) == 't') {
      return Status::InvalidArgument("File path must not contain a .git segment");
    }
    start = end + 1;
  }
  return Status::Ok();
}

}  // namespace spacehub
