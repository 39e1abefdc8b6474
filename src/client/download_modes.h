// The two places hf_hub_download puts a file: the shared cache (download.cc: blobs/, snapshots/
// symlinks, refs/, .no_exist/ markers) or a plain folder (local_dir_download.cc: real files plus
// .cache/huggingface/download/*.metadata). Both return the path of the file they made or found.
// `known`, when given, is the file's tree entry at the commit options.revision (a sha), which
// stands in for the metadata HEAD (SnapshotDownload). Internal; safe from any thread: concurrent
// downloads of one file exclude each other with the same flocks huggingface_hub takes.
#pragma once

#include <string>

#include "client/client_impl.h"

namespace spacehub::client::detail {

std::string DownloadToCache(const HubClient::Impl& impl, const std::string& repo_id,
                            const std::string& filename, const DownloadOptions& options,
                            const ProgressFn* progress, const RepoTreeEntry* known);

std::string DownloadToLocalDir(const HubClient::Impl& impl, const std::string& repo_id,
                               const std::string& filename, const DownloadOptions& options,
                               const ProgressFn* progress, const RepoTreeEntry* known);

}  // namespace spacehub::client::detail
