// Volumes: a Space's persistent /data with its storage tier's size really enforced (ARCHITECTURE.md
// "Storage tiers"). Two modes, chosen once when the hub starts:
//  - kLoop: a sparse ext4 image per Space (no disk used until written), loop-mounted on the host at
//    the Space's data directory while the Space runs, and bound at /data in its sandbox: a write
//    past the tier fails with ENOSPC inside. A larger tier grows the image and the mounted file
//    system (resize2fs, online). Needs root, loop devices and mkfs.ext4: probed at start.
//  - kPlainDir: where loop mounts do not work, a plain directory whose use is walked (like du) at
//    every start: a Space over its tier does not start, and says so.
// Mounts are made and removed with the instance (LocalBackend Start/Stop), so a paused or sleeping
// Space holds no loop device. A hub killed with -9 leaves its mounts: the constructor unmounts
// every mount under `root` (nothing runs yet), so none is orphaned.
// Thread-safe (no state after construction; each call touches only its own Space's files).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/result.h"

namespace spacehub::runtime {

struct VolumeSpec {
  std::filesystem::path image;        // the sparse ext4 image (kLoop)
  std::filesystem::path mount_point;  // the host directory bound at /data
  int64_t size_bytes = 0;             // the tier's size
};

struct VolumeUsage {
  int64_t used_bytes = 0;
  int64_t total_bytes = 0;
};

struct MountEntry {
  std::filesystem::path mount_point;
  std::string fstype;
  std::string source;  // e.g. /dev/loop3
};

// /proc/self/mountinfo → its entries (octal escapes such as \040 decoded).
std::vector<MountEntry> ParseMountInfo(const std::string& text);
// The mount points at or below `dir`, deepest first (the order they can be unmounted in).
std::vector<std::filesystem::path> MountsUnder(const std::vector<MountEntry>& mounts,
                                               const std::filesystem::path& dir);
// "20G", "150G", "1T", "32M", "4096" → bytes (binary units); InvalidArgument otherwise.
Result<int64_t> ParseSize(const std::string& text);

struct VolumeOptions {
  std::filesystem::path root;  // every volume lives below it (<data>/spaces)
  bool try_loop = true;        // false: plain directories without probing
};

class Volumes final {
 public:
  enum class Mode { kLoop, kPlainDir };

  explicit Volumes(VolumeOptions options);

  Mode mode() const { return mode_; }
  // One line for the hub's log: the mode, and why not loop mounts where it is kPlainDir.
  const std::string& Describe() const { return describe_; }
  int leftovers_unmounted() const { return leftovers_; }

  // Before the Space starts: creates (sparse image + mkfs) or grows, and mounts (kLoop); checks
  // the use against the size (kPlainDir). Command output goes to `log`.
  Status Attach(const VolumeSpec& spec, const std::filesystem::path& log) const;
  // After the Space stopped: unmounts (kLoop). Data stays.
  void Detach(const VolumeSpec& spec) const;
  // Unmounts, deletes the image and empties the mount point: all data is gone.
  static void Destroy(const VolumeSpec& spec);
  VolumeUsage Usage(const VolumeSpec& spec) const;
  // Unmounts everything at or below `dir` (lazily where busy). Returns how many.
  static int UnmountUnder(const std::filesystem::path& dir);
  // The mount points at or below `dir` now (/proc/self/mountinfo).
  static std::vector<std::filesystem::path> MountedUnder(const std::filesystem::path& dir);

 private:
  Status Probe();
  static Status AttachLoop(const VolumeSpec& spec, const std::filesystem::path& log);

  VolumeOptions options_;
  Mode mode_ = Mode::kPlainDir;
  std::string describe_;
  int leftovers_ = 0;
};

}  // namespace spacehub::runtime
