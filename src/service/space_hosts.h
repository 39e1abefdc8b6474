// One host label, one Space. A Space is visited at `{label}.{domain}` (core/space_host_label.h),
// and several names share a label ("a-b/c" and "a/b-c" are both `a-b-c`): creating, duplicating or
// renaming a Space onto a label that another Space has is refused (409), so a visitor can never
// reach a different Space than the one the name they were given stands for.
//
// Races: the check runs after the row is written (created) or moved, against the rows as they are
// then, so two requests racing for one label cannot both win: a new Space yields to any older Space
// (lower id) with its label; a renamed one yields to any other. (Two renames racing may both be
// refused; never both kept.) The check scans the Spaces (a rare write path; no schema change).
// Thread-safe (stateless).
#pragma once

#include <functional>

#include "service/access.h"

namespace spacehub::service {

// Calls `visit` for every Space, oldest (lowest id) first, in pages; stops at the first error,
// `visit`'s or the store's, and returns it. The one scan of Spaces by label: this check and the
// proxy's host index (space_directory.h) both use it.
Status ForEachSpace(db::MetadataStore& db, const std::function<Status(const db::RepoRow&)>& visit);

// The Conflict for `row` when another Space holds its label: with `only_older`, only Spaces with a
// lower id count (a new Space yields to those); otherwise any Space but `row` itself. The message
// names the other Space when `who` may read it (a private Space's name is not given away).
Status CheckSpaceHostFree(Hub& hub, const Caller& who, const db::RepoRow& row, bool only_older);

}  // namespace spacehub::service
