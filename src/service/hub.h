// Hub: the components every use case works with, wired once at start-up (never changed after) and
// borrowed by the services. Owns nothing; whoever builds it (serve, admin, tests) keeps the parts
// alive. Thread-safety: the referenced components are all safe for concurrent use.
#pragma once

#include <cstdint>
#include <string>

#include "auth/identity.h"
#include "auth/sessions.h"
#include "core/clock.h"
#include "core/secret_box.h"
#include "db/metadata_store.h"
#include "repo/lfs_store.h"
#include "repo/repo_store.h"
#include "repo/xorb_store.h"
#include "service/hardware_catalog.h"
#include "service/hardware_scheduler.h"
#include "service/space_runtime_hook.h"

namespace spacehub::service {

struct HubOptions {
  uint64_t lfs_threshold_bytes = 10ull * 1000 * 1000;    // files this big always go to LFS (10 MB)
  uint64_t multipart_chunk_bytes = 64ull * 1024 * 1024;  // part size for multipart uploads
  uint64_t multipart_threshold_bytes = 5ull * 1024 * 1024 * 1024;
  uint64_t max_lfs_object_bytes = 100ull * 1024 * 1024 * 1024;
  int64_t lfs_url_ttl_seconds = 3600;
  int64_t xet_token_ttl_seconds = 3600;  // Xet CAS access tokens (clients refresh before expiry)
  std::string lfs_signing_key;           // HMAC key for the self-authenticating LFS transfer URLs
  int64_t space_min_sleep_seconds = 5 * 60;  // shortest custom sleep time on upgraded hardware
  int64_t detected_gpus = 0;  // GPUs on this node (placement.h DetectGpus), set by `serve`
  auth::SignupPolicy signup = auth::SignupPolicy::kClosed;  // who may sign up on the web UI
  // Xet shard checks under way at once (service/xet_shard_admission.h): per user, and in all.
  int xet_shard_checks_per_user = 2;
  int xet_shard_checks = 8;
};

struct Hub {
  db::MetadataStore& db;
  repo::RepoStore& repos;
  repo::LfsStore& lfs;
  repo::XorbStore& xorbs;  // Xet xorb bytes (their metadata: db.xet())
  auth::Identity& identity;
  auth::Sessions& sessions;   // web UI sign-in and browser sessions
  SecretBox& secrets;         // Space secrets at rest
  HardwareCatalog& hardware;  // Space hardware flavors
  // The one owner of placement and of Space settings changes, shared by every SpaceService.
  HardwareScheduler& scheduler;
  HubOptions options;
  // The Space engine when one runs (serve), else null. Fixed when the Hub is made: `serve` builds
  // the engine over a Hub without one, then hands WithRuntime(engine) to the API and the proxy.
  SpaceRuntimeHook* const runtime = nullptr;
  // "Now" for every time-driven decision of the services and the engine (tests: a FakeClock).
  const Clock& clock = Clock::System();

  // The same parts with `engine` attached.
  Hub WithRuntime(SpaceRuntimeHook* engine) const {
    return Hub{db,      repos,    lfs,       xorbs,   identity, sessions,
               secrets, hardware, scheduler, options, engine,   clock};
  }
};

}  // namespace spacehub::service
