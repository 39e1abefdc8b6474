// JobSpec: what a job runs, as the API received it (spec/jobs-webhooks-oauth.md §1.1), and the
// rules every spec must pass before anything is stored: exactly one of a Docker image or a Space, a
// non-empty command, environment and label names and sizes within bounds, a known flavor. The
// stored form (SpecJson) is what the API shows back: secret names only, never their values.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "service/hardware_catalog.h"

namespace spacehub::service {

struct JobSpec {
  std::optional<std::string> docker_image;  // a local podman image
  std::optional<std::string> space_id;      // "ns/name": the Space's built environment
  std::vector<std::string> command;
  std::vector<std::string> arguments;
  std::map<std::string, std::string> environment;
  std::map<std::string, std::string> secrets;  // values: sealed at rest, never shown
  std::string flavor = "cpu-basic";
  std::optional<int64_t> timeout_seconds;  // none: the hub's default
  std::map<std::string, std::string> labels;
};

inline constexpr int64_t kDefaultJobTimeoutSeconds = 30 * 60;  // the Hub's documented default
inline constexpr int64_t kMaxJobTimeoutSeconds = 7 * 24 * 3600;

// Checks `spec` against the catalog; InvalidArgument (a 400) naming what is wrong. A flavor the
// catalog does not offer is an error naming the ones it does.
Status ValidateJobSpec(const JobSpec& spec, const CatalogData& catalog);

// The spec as stored and shown: dockerImage or spaceId, command, arguments, environment, flavor,
// timeoutSeconds, and `secrets` as the list of names.
nlohmann::json SpecJson(const JobSpec& spec);
// Back from SpecJson's text (secrets stay empty; labels come from the row). A text that does not
// parse gives an empty spec: rows are written by SpecJson only.
JobSpec SpecFromStored(const std::string& text);

// The labels as stored (a JSON object text) and back.
std::string LabelsText(const std::map<std::string, std::string>& labels);
std::map<std::string, std::string> LabelsFromText(const std::string& text);
// Label keys and values: at most 100 characters of [A-Za-z0-9._-] (keys non-empty), at most 64.
Status ValidateLabels(const std::map<std::string, std::string>& labels);

}  // namespace spacehub::service
