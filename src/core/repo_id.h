// Repository identity and the naming rules every layer relies on.
//
// RepoId is parsed and validated once at the edge (api layer) and then trusted: a RepoId always
// holds a valid namespace and name, so nothing below ever sees `..`, a slash or a leading dash in
// either. Value type; thread-safe for const use.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "spacehub/wire/repo_type.h"

namespace spacehub {

// The one RepoType, shared with the C++ client; its names come from the wire header
// (RepoTypeName: "model", RepoTypePlural: "models", RepoTypeUrlPrefix: "datasets/").
using RepoType = wire::RepoType;
using wire::RepoTypeName;
using wire::RepoTypePlural;
using wire::RepoTypeUrlPrefix;

// Accepts "model", "dataset", "space" and the plural API forms ("models", ...); a 400 otherwise.
Result<RepoType> ParseRepoType(std::string_view text);

struct RepoId {
  RepoType type = RepoType::kModel;
  std::string ns;    // user or organization name
  std::string name;  // repository name

  std::string Full() const { return ns + "/" + name; }  // "ns/name"
  bool operator==(const RepoId&) const = default;
};

// Hub rules: letters, digits, '-', '_', '.'; starts and ends with a letter or digit; no "--" or
// ".."; at most 96 characters; not ending in ".git"; not a reserved word.
Status ValidateRepoName(std::string_view name);
// User/organization names follow the same alphabet, at most 42 characters.
Status ValidateNamespace(std::string_view ns);
// Builds a RepoId from "ns/name", validating both parts.
Result<RepoId> ParseRepoId(RepoType type, std::string_view full);
Result<RepoId> MakeRepoId(RepoType type, std::string_view ns, std::string_view name);

// A path inside a repository: relative, '/'-separated, no empty, "." or ".." segment, no NUL or
// control character, not inside ".git/", at most 1024 bytes.
Status ValidateRepoPath(std::string_view path);

}  // namespace spacehub
