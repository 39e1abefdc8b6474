#include "proxy/static_site.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>
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

std::string InjectIntoHead(std::string html, std::string_view head) {
  std::string lower = html.substr(0, std::min<size_t>(html.size(), 64 * 1024));
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  size_t at = 0;
  for (size_t pos = lower.find("<head"); pos != std::string::npos;
       pos = lower.find("<head", pos + 1)) {
    char next = pos + 5 < lower.size() ? lower[pos + 5] : '\0';
    if (next != '>' && !std::isspace(static_cast<unsigned char>(next))) continue;  // <header>
    size_t end = lower.find('>', pos);
    if (end != std::string::npos) at = end + 1;
    break;
  }
  html.insert(at, head);
  return html;
}

Result<http::Response> StaticFileResponse(const fs::path& file, std::string_view head) {
  const std::string ext = file.extension().string();
  if (!head.empty() && (ext == ".html" || ext == ".htm")) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return Status::EntryNotFound(file.filename().string());
    std::string html((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    http::Response r = http::Response::Text(InjectIntoHead(std::move(html), head), 200,
                                            "text/html; charset=utf-8");
    r.Header("Cache-Control", "no-cache");
    return r;
  }
  http::Response r;
  SH_ASSIGN_OR_RETURN(r.file, http::FileBody::Open(file.string()));
  r.Header("Content-Type", http::ContentTypeFor(file.string()));
  r.Header("Cache-Control", "no-cache");
  r.ranges_allowed = true;
  return r;
}

}  // namespace spacehub::proxy
