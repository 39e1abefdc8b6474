// RepoType: the three kinds of repository, shared by the server and the C++ client, with the one
// mapping to the names the Hub uses on the wire ("model", the API plural "models", the web prefix
// "datasets/"). Header-only and constexpr so that the installed client needs no server library.
// Stateless; safe from any thread.
#pragma once

#include <optional>
#include <string_view>

namespace spacehub::wire {

enum class RepoType { kModel, kDataset, kSpace };

// "model" / "dataset" / "space" (the `repo_type` the clients send).
constexpr std::string_view RepoTypeName(RepoType type) {
  switch (type) {
    case RepoType::kModel:
      return "model";
    case RepoType::kDataset:
      return "dataset";
    case RepoType::kSpace:
      return "space";
  }
  return "model";
}

// "models" / "datasets" / "spaces" (the `/api/{type}s/` path segment).
constexpr std::string_view RepoTypePlural(RepoType type) {
  switch (type) {
    case RepoType::kModel:
      return "models";
    case RepoType::kDataset:
      return "datasets";
    case RepoType::kSpace:
      return "spaces";
  }
  return "models";
}

// The prefix of web and git URLs: "" for models, "datasets/", "spaces/".
constexpr std::string_view RepoTypeUrlPrefix(RepoType type) {
  switch (type) {
    case RepoType::kModel:
      return "";
    case RepoType::kDataset:
      return "datasets/";
    case RepoType::kSpace:
      return "spaces/";
  }
  return "";
}

// Accepts the singular and the plural forms; nullopt for anything else.
constexpr std::optional<RepoType> ParseRepoTypeName(std::string_view text) {
  for (RepoType t : {RepoType::kModel, RepoType::kDataset, RepoType::kSpace}) {
    if (text == RepoTypeName(t) || text == RepoTypePlural(t)) return t;
  }
  return std::nullopt;
}

}  // namespace spacehub::wire
