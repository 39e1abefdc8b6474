#include "service/refs_updated.h"

namespace spacehub::service {

void OnRefsUpdated(Hub& hub, const db::RepoRow& row, const std::vector<std::string>& changed_refs) {
  hub.repos.InvalidateRefs(row.repo);
  bool content_changed = false;
  for (const auto& ref : changed_refs) {
    if (ref.rfind("refs/pr/", 0) != 0) content_changed = true;
  }
  if (content_changed) (void)hub.db.TouchRepo(row.id, hub.clock.NowMillis());
  // A Space rebuilds on every new commit of main: wake the runtime engine rather than wait a pass.
  if (hub.runtime && row.repo.type == RepoType::kSpace) hub.runtime->Notify(row.id);
}

}  // namespace spacehub::service
