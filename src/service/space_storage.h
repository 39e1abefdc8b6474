// Space storage and limits as the engine hands them to the runtime: which /data a Space gets for
// its storage tier (spaces.md "Persistent storage"), the flavor's limits, and the removal of the
// directories of deleted Spaces.
//
// Per Space, <data>/spaces/<uid>/: data/ (the host side of /data), storage.ext4 (the tier's
// volume image, runtime/volume.h), storage.tier (the tier the volume was made for). Without a
// tier, /data is a plain directory as before (no size limit; the Hub gives such Spaces only
// ephemeral disk, so its content is not promised to last). Deleting the tier deletes the volume
// and its data before the next start. Pure functions over the file system; called from the
// engine's thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "core/result.h"
#include "db/metadata_store.h"
#include "runtime/cgroup.h"
#include "runtime/volume.h"
#include "service/hardware_catalog.h"

namespace spacehub::service {

using TierSizes = std::map<std::string, int64_t>;  // tier name → bytes

// small 20 GiB, medium 150 GiB, large 1 TiB.
TierSizes DefaultTierSizes();
// "small=20G,medium=150G,large=1T" (every tier named once, sizes as runtime::ParseSize).
Result<TierSizes> ParseTierSizes(const std::string& text);

struct SpaceData {
  std::filesystem::path dir;                  // the host directory bound at /data
  std::optional<runtime::VolumeSpec> volume;  // set when the Space has a tier
};

// The /data of the Space in `space_dir` for `tier` ("" = none). A tier that was deleted since the
// last start takes its volume and data with it here.
Result<SpaceData> PrepareSpaceData(const std::filesystem::path& space_dir, const std::string& tier,
                                   const TierSizes& sizes);

// The flavor's memory and vCPU, and the hub's process limit.
runtime::Limits LimitsForFlavor(const Flavor* flavor, int64_t pids_limit);

// The uids of every Space in the database (a fresh, complete listing).
Result<std::set<std::string>> ListSpaceUids(db::RepoRowStore& db);

// Removes the directory (builds, logs, /data and its volume, unmounted first) of every Space under
// `spaces_root` whose uid is not in `live`. Returns how many were removed. `live` must come from a
// complete listing: the engine passes its pass's listing and a second one made right before (a
// Space missed by one paged listing while another was deleted must not lose its data).
int RemoveDeletedSpaceDirs(const std::filesystem::path& spaces_root,
                           const std::set<std::string>& live);

}  // namespace spacehub::service
