#include "proxy/static_site.h"

#include <string>

#include "http/content_type.h"

namespace spacehub::proxy {
namespace fs = std::filesystem;

Result<fs::path> ResolveStaticFile(const fs::path& root, std::string_view path) {
  std::string rel(path);
  while (!rel.empty() && rel.front() == '/') rel.erase(0, 1);
  if (rel.empty() || rel.back() == '/') rel += "index.html";
  fs::path p(rel);
  if (p.is_absolute()) return Status::EntryNotFound(path);
  for (const auto& part : p) {
    const std::string s = part.string();
    // No way out of the build, and none of the hub's own files (venv, markers) are served.
    if (s == ".." || s == "." || s.empty() || s.front() == '.') return Status::EntryNotFound(path);
  }
  std::error_code ec;
  fs::path full = fs::weakly_canonical(root / p, ec);
  if (ec) return Status::EntryNotFound(path);
  if (fs::is_directory(full, ec)) full = fs::weakly_canonical(full / "index.html", ec);
  fs::path base = fs::weakly_canonical(root, ec);
  if (ec) return Status::EntryNotFound(path);
  const fs::path inside = full.lexically_relative(base);
  if (inside.empty() || *inside.begin() == ".." || !fs::is_regular_file(full, ec)) {
    return Status::EntryNotFound(path);
  }
  return full;
}

Result<http::Response> StaticFileResponse(const fs::path& file) {
  http::Response r;
  SH_ASSIGN_OR_RETURN(r.file, http::FileBody::Open(file.string()));
  r.Header("Content-Type", http::ContentTypeFor(file.string()));
  r.Header("Cache-Control", "no-cache");
  r.ranges_allowed = true;
  return r;
}

}  // namespace spacehub::proxy
