// See offline.h.
#include "client/offline.h"

namespace spacehub::client::detail {
namespace {

const char* Switch(Offline why) {
  return why == Offline::kLocalFilesOnly
             ? "local_files_only is set (unset it to download)"
             : "offline mode is enabled (unset HF_HUB_OFFLINE to download)";
}

}  // namespace

Offline DownloadOffline(const ResolvedConfig& config, const DownloadOptions& options) {
  if (options.local_files_only) return Offline::kLocalFilesOnly;
  return config.offline ? Offline::kMode : Offline::kNo;
}

void ThrowNotCached(Offline why, const std::string& what) {
  throw LocalEntryNotFound(what + " is not in the local cache and " + Switch(why));
}

void ThrowForcedOffline(Offline why) {
  throw LocalError(ErrorKind::kInvalidArgument,
                   std::string("force_download needs the hub, but ") + Switch(why));
}

}  // namespace spacehub::client::detail
