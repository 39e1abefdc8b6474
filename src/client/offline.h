// Downloads that may not use the network: huggingface_hub's local_files_only and HF_HUB_OFFLINE.
// Decides whether a download is offline and builds the errors it ends with when the cache (or a
// local_dir) has no answer: LocalEntryNotFound, or LocalError(kInvalidArgument) for a
// force_download that cannot be honoured (Python's ValueError). Pure; thread-safe.
#pragma once

#include <string>

#include "client/config.h"
#include "spacehub/hub_client.h"

namespace spacehub::client::detail {

// Why a download sends no request; the messages name the switch to turn off.
enum class Offline {
  kNo,
  kLocalFilesOnly,  // DownloadOptions::local_files_only
  kMode,            // ClientOptions::offline / HF_HUB_OFFLINE
};

Offline DownloadOffline(const ResolvedConfig& config, const DownloadOptions& options);

// Nothing in the cache for `what` ("u/m/config.json at main"). `why` is not kNo.
[[noreturn]] void ThrowNotCached(Offline why, const std::string& what);
// force_download asked of an offline download.
[[noreturn]] void ThrowForcedOffline(Offline why);

}  // namespace spacehub::client::detail
