#include "web/file_paths.h"

#include "core/repo_id.h"
#include "http/request.h"

namespace spacehub::web {
namespace {

// Splits on '/' and '\\', dropping empty and "." segments.
Result<std::vector<std::string_view>> Segments(std::string_view text, std::string_view what) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find_first_of("/\\", start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view seg = text.substr(start, end - start);
    if (seg == "..") {
      return Status::InvalidArgument(std::string(what) + " must not contain '..'");
    }
    if (!seg.empty() && seg != ".") out.push_back(seg);
    start = end + 1;
  }
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return Status::InvalidArgument(std::string(what) + " contains a control character");
    }
  }
  return out;
}

std::string Join(const std::vector<std::string_view>& segs) {
  std::string out;
  for (std::string_view s : segs) {
    if (!out.empty()) out.push_back('/');
    out.append(s);
  }
  return out;
}

}  // namespace

Result<std::string> CleanFolder(std::string_view folder) {
  SH_ASSIGN_OR_RETURN(auto segs, Segments(folder, "The folder"));
  std::string out = Join(segs);
  if (!out.empty()) SH_TRY(ValidateRepoPath(out));
  return out;
}

Result<std::string> UploadPath(std::string_view folder, std::string_view filename) {
  SH_ASSIGN_OR_RETURN(std::string dir, CleanFolder(folder));
  SH_ASSIGN_OR_RETURN(auto segs, Segments(filename, "The file name"));
  if (segs.empty()) return Status::InvalidArgument("A file has no name");
  std::string path = dir.empty() ? Join(segs) : dir + "/" + Join(segs);
  Status valid = ValidateRepoPath(path);
  if (!valid.ok()) return Status::InvalidArgument(path + ": " + valid.message());
  return path;
}

std::string RevPath(std::string_view base, std::string_view kind, std::string_view rev,
                    std::string_view path) {
  std::string out(base);
  out += "/";
  out += kind;
  out += "/";
  out += http::PercentEncode(rev, false);
  if (!path.empty()) {
    out += "/";
    out += http::PercentEncode(path, true);
  }
  return out;
}

std::string_view ParentOf(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
}

std::string_view BaseName(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::vector<Crumb> Breadcrumbs(std::string_view base, std::string_view rev, std::string_view path,
                               std::string_view root_name) {
  std::vector<Crumb> out;
  out.push_back({std::string(root_name), RevPath(base, "tree", rev), path.empty()});
  size_t start = 0;
  while (!path.empty() && start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const bool last = end == path.size();
    out.push_back({std::string(path.substr(start, end - start)),
                   last ? "" : RevPath(base, "tree", rev, path.substr(0, end)), last});
    start = end + 1;
  }
  if (path.empty()) out.back().url.clear();
  return out;
}

}  // namespace spacehub::web
