#include "service/hardware_catalog.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cctype>
#include <fstream>
#include <sstream>
#include <tuple>

namespace spacehub::service {
namespace {

// name, pretty name, vCPU, RAM GB, GPUs, GPU model, GPU GB total, disk GB, $/h (<0: none), free.
struct DefaultFlavor {
  const char* name;
  const char* pretty;
  int vcpu, ram, gpus;
  const char* gpu;
  int vram, disk;
  double price;
};

// The Hub's flavors (spec/spaces.md). Figures the Hub does not publish are left at 0.
constexpr DefaultFlavor kDefaults[] = {
    {"cpu-basic", "CPU basic", 2, 16, 0, "", 0, 50, 0},
    {"cpu-upgrade", "CPU upgrade", 8, 32, 0, "", 0, 50, 0.03},
    {"cpu-xl", "CPU XL", 16, 124, 0, "", 0, 50, -1},
    {"zero-a10g", "ZeroGPU (shared A10G)", 0, 0, 1, "A10G", 24, 0, -1},
    {"t4-small", "Nvidia T4 - small", 4, 15, 1, "T4", 16, 50, 0.40},
    {"t4-medium", "Nvidia T4 - medium", 8, 30, 1, "T4", 16, 100, 0.60},
    {"l4x1", "1x Nvidia L4", 8, 30, 1, "L4", 24, 400, 0.80},
    {"l4x4", "4x Nvidia L4", 48, 186, 4, "L4", 96, 3200, 3.80},
    {"l40sx1", "1x Nvidia L40S", 8, 62, 1, "L40S", 48, 0, 1.80},
    {"l40sx4", "4x Nvidia L40S", 48, 382, 4, "L40S", 192, 0, 8.30},
    {"l40sx8", "8x Nvidia L40S", 192, 1534, 8, "L40S", 384, 0, 23.50},
    {"a10g-small", "Nvidia A10G - small", 4, 15, 1, "A10G", 24, 110, 1.00},
    {"a10g-large", "Nvidia A10G - large", 12, 46, 1, "A10G", 24, 200, 1.50},
    {"a10g-largex2", "2x Nvidia A10G - large", 24, 92, 2, "A10G", 48, 0, 3.00},
    {"a10g-largex4", "4x Nvidia A10G - large", 48, 184, 4, "A10G", 96, 0, 5.00},
    {"a100-large", "Nvidia A100 - large", 12, 142, 1, "A100", 80, 0, 2.50},
    {"a100x4", "4x Nvidia A100", 48, 568, 4, "A100", 320, 0, 10.00},
    {"a100x8", "8x Nvidia A100", 96, 1136, 8, "A100", 640, 0, 20.00},
    {"h100", "Nvidia H100", 0, 0, 1, "H100", 80, 0, -1},
    {"h100x8", "8x Nvidia H100", 0, 0, 8, "H100", 640, 0, -1},
};

Result<int64_t> IntKey(const YAML::Node& node, const std::string& flavor, const char* key,
                       int64_t fallback) {
  const YAML::Node v = node[key];
  if (!v) return fallback;
  try {
    int64_t out = v.as<int64_t>();
    if (out < 0) throw YAML::Exception(YAML::Mark::null_mark(), "negative");
    return out;
  } catch (const YAML::Exception&) {
    return Status::InvalidArgument("hardware catalog: flavor '" + flavor + "': '" + key +
                                   "' must be a non-negative integer");
  }
}

}  // namespace

const Flavor* CatalogData::Find(std::string_view name) const {
  for (const auto& f : flavors) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::string CatalogData::Names() const {
  std::string out;
  for (const auto& f : flavors) out += (out.empty() ? "" : ", ") + f.name;
  return out;
}

std::string DefaultHardwareCatalogYaml() {
  std::ostringstream y;
  y << "# Space hardware offered by this hub (GET /api/spaces/hardware). Edit freely: the hub\n"
       "# re-reads this file when it changes. Per flavor:\n"
       "#   name (the API string), pretty_name, vcpu, memory_gb, gpu_count, gpu_model,\n"
       "#   gpu_manufacturer, gpu_memory_gb (total), disk_gb (ephemeral), price_per_hour "
       "(optional),\n"
       "#   free (no grant needed; fixed 48 h sleep time), capacity (Spaces the nodes can hold on\n"
       "#   this flavor at once; omit for no limit, 0 while no node has it), slurm (jobs on a\n"
       "#   Slurm cluster: `slurm: {partition: gpu, gres: \"gpu:a100:1\"}`).\n"
       "# Who may use which non-free flavor: `spacehub admin hardware grant ACCOUNT FLAVOR`.\n"
       "# What the node gives to Spaces on non-free flavors (free ones share the rest): uncomment\n"
       "# to enforce CPU and memory; gpus defaults to the GPUs the hub detects.\n"
       "# node:\n"
       "#   cpu: 16\n"
       "#   memory_gb: 64\n"
       "#   gpus: 1\n"
       "default: cpu-basic\n"
       "flavors:\n";
  for (const auto& d : kDefaults) {
    bool cpu = d.gpus == 0;
    y << "  - name: " << d.name << "\n    pretty_name: \"" << d.pretty << "\"\n    vcpu: " << d.vcpu
      << "\n    memory_gb: " << d.ram << "\n    disk_gb: " << d.disk << "\n";
    if (!cpu) {
      y << "    gpu_count: " << d.gpus << "\n    gpu_model: " << d.gpu
        << "\n    gpu_manufacturer: Nvidia\n    gpu_memory_gb: " << d.vram << "\n";
    }
    if (d.price >= 0) y << "    price_per_hour: " << d.price << "\n";
    if (std::string_view(d.name) == "cpu-basic") y << "    free: true\n";
    if (!cpu) y << "    capacity: 0\n";
  }
  return y.str();
}

namespace {

// The optional `node:` mapping (the administrator's statement of this node's size).
Status ParseNodeSize(const YAML::Node& node, CatalogData& out) {
  if (!node || node.IsNull()) return Status::Ok();
  if (!node.IsMap()) return Status::InvalidArgument("hardware catalog: 'node' must be a mapping");
  for (auto [key, field] : {std::pair{"cpu", &out.node.cpu},
                            {"memory_gb", &out.node.memory_gb},
                            {"gpus", &out.node.gpus}}) {
    if (!node[key] || node[key].IsNull()) continue;
    SH_ASSIGN_OR_RETURN(*field, IntKey(node, "node", key, 0));
  }
  return Status::Ok();
}

// The sizes of a flavor: vcpu, memory, GPUs, disk.
Status ParseFlavorSizes(const YAML::Node& node, Flavor& f) {
  SH_ASSIGN_OR_RETURN(int64_t vcpu, IntKey(node, f.name, "vcpu", 0));
  SH_ASSIGN_OR_RETURN(int64_t mem, IntKey(node, f.name, "memory_gb", 0));
  SH_ASSIGN_OR_RETURN(int64_t gpus, IntKey(node, f.name, "gpu_count", 0));
  SH_ASSIGN_OR_RETURN(int64_t vram, IntKey(node, f.name, "gpu_memory_gb", 0));
  SH_ASSIGN_OR_RETURN(int64_t disk, IntKey(node, f.name, "disk_gb", 0));
  f.vcpu = static_cast<int>(vcpu);
  f.memory_gb = static_cast<int>(mem);
  f.gpu_count = static_cast<int>(gpus);
  f.gpu_memory_gb = static_cast<int>(vram);
  f.disk_gb = static_cast<int>(disk);
  if (node["gpu_model"]) f.gpu_model = node["gpu_model"].as<std::string>();
  if (node["gpu_manufacturer"]) f.gpu_manufacturer = node["gpu_manufacturer"].as<std::string>();
  return Status::Ok();
}

// What a flavor costs and how many may run: price_per_hour, free, capacity.
Status ParseFlavorTerms(const YAML::Node& node, Flavor& f) {
  if (node["price_per_hour"]) {
    try {
      f.price_per_hour = node["price_per_hour"].as<double>();
    } catch (const YAML::Exception&) {
      return Status::InvalidArgument("hardware catalog: flavor '" + f.name +
                                     "': 'price_per_hour' must be a number");
    }
  }
  if (node["free"]) {
    try {
      f.free = node["free"].as<bool>();
    } catch (const YAML::Exception&) {
      return Status::InvalidArgument("hardware catalog: flavor '" + f.name +
                                     "': 'free' must be true or false");
    }
  }
  if (node["capacity"] && !node["capacity"].IsNull()) {
    SH_ASSIGN_OR_RETURN(int64_t cap, IntKey(node, f.name, "capacity", 0));
    f.capacity = cap;
  }
  return Status::Ok();
}

// The optional `slurm:` mapping. Its values become single sbatch arguments (never a shell line);
// the character set still keeps them to what Slurm names look like, so a typo fails here, named.
Status ParseSlurmPlacement(const YAML::Node& node, Flavor& f) {
  if (!node || node.IsNull()) return Status::Ok();
  auto bad = [&](const std::string& what) {
    return Status::InvalidArgument("hardware catalog: flavor '" + f.name + "': 'slurm' " + what);
  };
  if (!node.IsMap()) return bad("must be a mapping with partition and/or gres");
  SlurmPlacement p;
  for (auto [key, field, allowed] :
       {std::tuple{"partition", &p.partition, "-_."}, {"gres", &p.gres, "-_.:,/"}}) {
    const YAML::Node v = node[key];
    if (!v || v.IsNull()) continue;
    if (!v.IsScalar()) return bad(std::string("'") + key + "' must be a string");
    *field = v.as<std::string>();
    std::string_view extra = allowed;
    bool ok = !field->empty() && field->size() <= 200 && field->front() != '-';
    for (char c : *field) {
      ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || extra.find(c) != extra.npos);
    }
    if (!ok) return bad(std::string("'") + key + "' is not a valid Slurm name: '" + *field + "'");
  }
  for (const auto& kv : node) {
    const auto k = kv.first.as<std::string>();
    if (k != "partition" && k != "gres") return bad("has an unknown key '" + k + "'");
  }
  f.slurm = std::move(p);
  return Status::Ok();
}

// Flavor number `index` (1-based, for messages) of the list; its name must be new in `out`.
Result<Flavor> ParseFlavor(const YAML::Node& node, size_t index, const CatalogData& out) {
  Flavor f;
  if (!node.IsMap() || !node["name"] || !node["name"].IsScalar()) {
    return Status::InvalidArgument("hardware catalog: flavor #" + std::to_string(index) +
                                   " has no 'name'");
  }
  f.name = node["name"].as<std::string>();
  if (f.name.empty() || f.name.find_first_of(" \t,/") != std::string::npos) {
    return Status::InvalidArgument("hardware catalog: invalid flavor name '" + f.name + "'");
  }
  if (out.Find(f.name)) {
    return Status::InvalidArgument("hardware catalog: flavor '" + f.name + "' is listed twice");
  }
  f.pretty_name = node["pretty_name"] ? node["pretty_name"].as<std::string>() : f.name;
  SH_TRY(ParseFlavorSizes(node, f));
  SH_TRY(ParseFlavorTerms(node, f));
  SH_TRY(ParseSlurmPlacement(node["slurm"], f));
  return f;
}

}  // namespace

Result<CatalogData> ParseHardwareCatalog(std::string_view text) {
  CatalogData out;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(std::string("hardware catalog: invalid YAML: ") + e.what());
  }
  if (!root.IsMap() || !root["flavors"] || !root["flavors"].IsSequence()) {
    return Status::InvalidArgument("hardware catalog: expected a mapping with a 'flavors' list");
  }
  try {
    if (root["default"]) out.default_flavor = root["default"].as<std::string>();
    SH_TRY(ParseNodeSize(root["node"], out));
    size_t index = 0;
    for (const auto& node : root["flavors"]) {
      SH_ASSIGN_OR_RETURN(Flavor f, ParseFlavor(node, ++index, out));
      out.flavors.push_back(std::move(f));
    }
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(std::string("hardware catalog: ") + e.what());
  }
  if (out.flavors.empty()) return Status::InvalidArgument("hardware catalog: no flavors");
  if (!out.Find(out.default_flavor)) {
    return Status::InvalidArgument("hardware catalog: the default flavor '" + out.default_flavor +
                                   "' is not in the list");
  }
  return out;
}

HardwareCatalog::HardwareCatalog(CatalogData data)
    : data_(std::make_shared<const CatalogData>(std::move(data))) {}

HardwareCatalog::HardwareCatalog(std::filesystem::path path, CatalogData data,
                                 std::filesystem::file_time_type mtime)
    : path_(std::move(path)),
      data_(std::make_shared<const CatalogData>(std::move(data))),
      mtime_(mtime) {}

Result<std::unique_ptr<HardwareCatalog>> HardwareCatalog::Open(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    std::string text = DefaultHardwareCatalogYaml();
    std::filesystem::path tmp = path;
    tmp += ".tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return Status::Internal("Cannot create " + tmp.string());
    bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
              ::fsync(fd) == 0;
    ::close(fd);
    if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
      return Status::Internal("Cannot write " + path.string());
    }
  }
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  auto mtime = std::filesystem::last_write_time(path, ec);
  SH_ASSIGN_OR_RETURN(CatalogData data, ParseHardwareCatalog(ss.str()));
  return std::unique_ptr<HardwareCatalog>(new HardwareCatalog(path, std::move(data), mtime));
}

std::shared_ptr<const CatalogData> HardwareCatalog::Get() {
  std::lock_guard lock(mu_);
  if (path_.empty()) return data_;
  std::error_code ec;
  auto mtime = std::filesystem::last_write_time(path_, ec);
  if (ec || mtime == mtime_) return data_;
  mtime_ = mtime;
  std::ifstream in(path_);
  std::stringstream ss;
  ss << in.rdbuf();
  auto parsed = ParseHardwareCatalog(ss.str());
  if (!parsed.ok()) {
    spdlog::error("hardware catalog {} not reloaded, keeping the previous one: {}", path_.string(),
                  parsed.status().message());
    return data_;
  }
  data_ = std::make_shared<const CatalogData>(std::move(*parsed));
  spdlog::info("hardware catalog {} reloaded ({} flavors)", path_.string(), data_->flavors.size());
  return data_;
}

}  // namespace spacehub::service
