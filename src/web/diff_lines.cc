#include "web/diff_lines.h"

namespace spacehub::web {

std::vector<DiffLine> SplitPatch(std::string_view patch) {
  std::vector<DiffLine> out;
  size_t start = 0;
  while (start < patch.size()) {
    size_t end = patch.find('\n', start);
    if (end == std::string_view::npos) end = patch.size();
    std::string_view line = patch.substr(start, end - start);
    std::string_view css = "diff-ctx";
    if (line.starts_with("@@")) {
      css = "diff-hunk";
    } else if (line.starts_with('+')) {
      css = "diff-add";
    } else if (line.starts_with('-')) {
      css = "diff-del";
    }
    out.push_back({css, line});
    start = end + 1;
  }
  return out;
}

}  // namespace spacehub::web
