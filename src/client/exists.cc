// repo_exists / revision_exists / file_exists: yes-or-no questions answered from the typed errors,
// exactly where huggingface_hub's HfApi answers them (hf_api.py, 1.3.7):
//   RepoExists      repo_info; GatedRepo → true (it exists, we may not read it), RepositoryNotFound
//                   (missing, or private to someone else) → false
//   RevisionExists  repo_info at the revision; RevisionNotFound or RepositoryNotFound (GatedRepo
//                   too) → false
//   FileExists      HEAD of the resolve URL; GatedRepo is thrown, RepositoryNotFound /
//                   RevisionNotFound / EntryNotFound → false
// Anything else (401 without a repo code, 5xx, network) is thrown: "cannot tell" is not "no".
#include "client/cache_layout.h"
#include "client/client_impl.h"
#include "client/download_steps.h"
#include "client/error_mapping.h"
#include "client/url.h"

namespace spacehub::client {

bool HubClient::RepoExists(const std::string& repo_id, RepoType type) const {
  try {
    GetRepoInfo(repo_id, type);
    return true;
  } catch (const GatedRepo&) {
    return true;
  } catch (const RepositoryNotFound&) {
    return false;
  }
}

bool HubClient::RevisionExists(const std::string& repo_id, const std::string& revision,
                               RepoType type) const {
  try {
    GetRepoInfo(repo_id, type, revision);
    return true;
  } catch (const RevisionNotFound&) {
    return false;
  } catch (const RepositoryNotFound&) {  // GatedRepo included, as Python's except clause has it
    return false;
  }
}

bool HubClient::FileExists(const std::string& repo_id, const std::string& filename, RepoType type,
                           const std::string& revision) const {
  detail::ValidateRepoId(repo_id);
  detail::ValidatePathInRepo(filename);
  std::string url = detail::ResolveUrl(impl_->config().endpoint, type, repo_id,
                                       revision.empty() ? "main" : revision, filename);
  std::string download_url;
  try {
    detail::RaiseForStatus(detail::HeadResolve(*impl_, url, &download_url));
    return true;
  } catch (const GatedRepo&) {
    throw;
  } catch (const RepositoryNotFound&) {
    return false;
  } catch (const RevisionNotFound&) {
    return false;
  } catch (const EntryNotFound&) {
    return false;
  }
}

}  // namespace spacehub::client
