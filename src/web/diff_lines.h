// A unified patch (repo::FileDiff::patch) as lines the commit page renders one by one, each with
// the class that colours it (diff-hunk, diff-add, diff-del, diff-ctx). The text stays text: the
// view escapes it. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace spacehub::web {

struct DiffLine {
  std::string_view css;   // "diff-hunk", "diff-add", "diff-del", "diff-ctx"
  std::string_view text;  // the line without its '\n'; points into the patch
};

std::vector<DiffLine> SplitPatch(std::string_view patch);

}  // namespace spacehub::web
