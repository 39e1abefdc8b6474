// The pre-receive hook's input and the ref-name rule; see ref_updates.h.
#include "service/ref_updates.h"

#include <sstream>

namespace spacehub::service {
namespace {

bool IsHex(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

std::string CheckPushedRefName(const std::string& ref) {
  if (ref.rfind("refs/pr/", 0) == 0) {
    return ref + ": pull-request refs are read-only; open or update pull requests through the API";
  }
  if (ref.rfind("refs/heads/", 0) != 0 && ref.rfind("refs/tags/", 0) != 0) {
    return ref + ": only branches (refs/heads/*) and tags (refs/tags/*) can be pushed";
  }
  if (ref.find("..") != std::string::npos) return ref + ": a ref name may not contain '..'";
  // getline below yields no empty last component for a trailing '/'.
  if (ref.back() == '/') return ref + ": a ref name may not end with '/'";
  std::istringstream parts(ref);
  std::string part;
  while (std::getline(parts, part, '/')) {
    if (part.empty() || part.front() == '-' || part.front() == '.') {
      return ref + ": a ref name component may not be empty or begin with '-' or '.'";
    }
  }
  return "";
}

Result<std::vector<RefUpdate>> ParseRefUpdates(std::string_view text) {
  std::vector<RefUpdate> out;
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::istringstream ls(line);
    RefUpdate u;
    if (!(ls >> u.old_id >> u.new_id >> u.ref) || !IsHex(u.old_id) || !IsHex(u.new_id)) {
      return Status::InvalidArgument("malformed ref update line: " + line);
    }
    out.push_back(std::move(u));
  }
  return out;
}

}  // namespace spacehub::service
