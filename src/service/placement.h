// The hardware scheduler's rule, as pure functions (placement_test.cc): whether a Space's
// requested flavor can be placed next to what other Spaces hold, and which waiting requests to
// place, in the order they were made. Limits: each flavor's `capacity` (Spaces at once), and the
// node's CPU, memory and GPUs reserved by non-free flavors (hardware_catalog.h NodeLimits; free
// flavors share the rest and reserve nothing). Thread-safe (pure). The decisions are made and
// saved by HardwareScheduler (hardware_scheduler.h), the one owner of placement.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/metadata_store.h"
#include "service/hardware_catalog.h"

namespace spacehub::service {

struct Holding {
  int64_t repo_id = 0;
  std::string flavor;
};

// Why `flavor` cannot be placed beside `held` (other Spaces' current flavors) on a node with
// `detected_gpus` GPUs (0: none seen; then only configured GPUs and flavor capacities limit GPU
// flavors); nullopt when it can.
std::optional<std::string> WhyNotPlaced(const Flavor& flavor, const CatalogData& catalog,
                                        const std::vector<Holding>& held, int64_t detected_gpus);

struct Request {
  int64_t repo_id = 0;
  std::string flavor;    // requested
  std::string previous;  // what it holds now ("" for nothing); freed when the request is placed
};

// The requests (in request order) that can be placed now, each beside what is held plus the
// requests placed before it. A request that does not fit does not block later ones that do.
std::vector<int64_t> PlaceInOrder(const std::vector<Request>& waiting, const CatalogData& catalog,
                                  std::vector<Holding> held, int64_t detected_gpus);

// What the Spaces other than `repo_id` hold now (paused ones hold nothing), from every settings
// row.
std::vector<Holding> HeldByOthers(const std::vector<db::SpaceSettingsRow>& rows, int64_t repo_id);

// Why the request of `s` (hardware_requested, not yet its hardware_current) cannot be placed now,
// as a sentence for the runtime view; nullopt when it can. `rows` is every Space's settings (`s`'s
// own row among them or not): what the others hold, and the requests made before this one, which
// are placed first (request order: hardware_requested_at, then repo id).
// `jobs`: the hardware jobs hold now (they share the nodes with the Spaces).
std::optional<std::string> WhyRequestWaits(const db::SpaceSettingsRow& s,
                                           const std::vector<db::SpaceSettingsRow>& rows,
                                           const CatalogData& catalog, int64_t detected_gpus,
                                           const std::vector<db::JobHold>& jobs = {});

// What jobs hold, as holdings beside the Spaces' (repo id 0: never a Space's own).
std::vector<Holding> JobHoldings(const std::vector<db::JobHold>& jobs);

// Why a job on `flavor` cannot start now beside every Space's hardware (`rows`) and every other
// running job's (`jobs`); nullopt when it can. Jobs wait for capacity like Space requests do, in
// the order they were created (the job engine asks for the oldest first).
std::optional<std::string> WhyJobWaits(const Flavor& flavor,
                                       const std::vector<db::SpaceSettingsRow>& rows,
                                       const std::vector<db::JobHold>& jobs,
                                       const CatalogData& catalog, int64_t detected_gpus);

// GPUs on this machine (NVIDIA device nodes /dev/nvidia<N>); 0 when none.
int64_t DetectGpus();

}  // namespace spacehub::service
