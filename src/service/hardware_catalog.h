// HardwareCatalog: the Space hardware flavors this installation offers, from a YAML file the
// administrator edits (`<data-dir>/hardware.yaml`, written with the Hub's flavor names on first
// start). Each flavor: name, vCPU, memory, GPUs, ephemeral disk, optional price per hour, whether
// it is free (free flavors need no grant and have the fixed 48 h sleep time), and how many Spaces
// the nodes can hold on it at once (`capacity`; absent = no limit, 0 = none can be placed now).
// With `--jobs-backend slurm`, a flavor's optional `slurm:` mapping says where its jobs go on the
// cluster (partition, GRES); CPUs and memory come from vcpu and memory_gb.
//
// The file is re-read when its modification time changes, so an edit takes effect without a
// restart; an edit that does not parse is logged and the last good catalog stays in use.
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace spacehub::service {

// Where a flavor's jobs run on a Slurm cluster (runtime::JobResources partition and gres).
struct SlurmPlacement {
  std::string partition;  // "" = the cluster's default partition
  std::string gres;       // e.g. "gpu:a100:1"; "" = none (then gpu_count > 0 asks for "gpu:<n>")
};

struct Flavor {
  std::string name;         // API string, e.g. "t4-medium"
  std::string pretty_name;  // "Nvidia T4 - medium"
  int vcpu = 0;
  int memory_gb = 0;
  int gpu_count = 0;
  std::string gpu_model;         // "T4"; empty for CPU flavors
  std::string gpu_manufacturer;  // "Nvidia"
  int gpu_memory_gb = 0;         // total over all GPUs
  int disk_gb = 0;               // ephemeral disk
  std::optional<double> price_per_hour;
  bool free = false;
  std::optional<int64_t> capacity;
  std::optional<SlurmPlacement> slurm{};  // the `slurm:` mapping, when present
};

// What the node(s) can give to Spaces on non-free flavors (free flavors share what is left and
// reserve nothing). `node:` in the catalog; an absent cpu or memory_gb is not enforced, an absent
// gpus is what the hub detects (GPUs are never shared).
struct NodeLimits {
  std::optional<int64_t> cpu;
  std::optional<int64_t> memory_gb;
  std::optional<int64_t> gpus;
};

struct CatalogData {
  std::string default_flavor = "cpu-basic";  // what a new Space gets
  NodeLimits node;
  std::vector<Flavor> flavors;

  const Flavor* Find(std::string_view name) const;
  // "cpu-basic, cpu-upgrade, ..." for error messages.
  std::string Names() const;
};

// Parses the catalog YAML. Errors name the offending flavor and key.
Result<CatalogData> ParseHardwareCatalog(std::string_view yaml);
// The catalog written on first start: the Hub's flavor names; CPU flavors without a limit, GPU
// flavors with capacity 0 until the administrator says which the nodes have.
std::string DefaultHardwareCatalogYaml();

class HardwareCatalog final {
 public:
  // Loads `path`, writing the default catalog there first if it does not exist.
  static Result<std::unique_ptr<HardwareCatalog>> Open(const std::filesystem::path& path);
  // In-memory catalog (tests).
  explicit HardwareCatalog(CatalogData data);

  // The current catalog (re-read when the file changed).
  std::shared_ptr<const CatalogData> Get();

 private:
  HardwareCatalog(std::filesystem::path path, CatalogData data,
                  std::filesystem::file_time_type mtime);

  std::mutex mu_;
  std::filesystem::path path_;
  std::shared_ptr<const CatalogData> data_;  // guarded by mu_
  std::filesystem::file_time_type mtime_;    // guarded by mu_
};

}  // namespace spacehub::service
