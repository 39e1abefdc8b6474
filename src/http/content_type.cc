#include "http/content_type.h"

#include <utility>

namespace spacehub::http {

std::string ContentTypeFor(std::string_view path) {
  static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".htm", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".wasm", "application/wasm"},
      {".ico", "image/x-icon"},
      {".txt", "text/plain; charset=utf-8"},
      {".md", "text/plain; charset=utf-8"},
      {".py", "text/plain; charset=utf-8"},
      {".yaml", "text/plain; charset=utf-8"},
      {".yml", "text/plain; charset=utf-8"},
      {".csv", "text/plain; charset=utf-8"},
  };
  for (const auto& [ext, type] : kTypes) {
    if (path.ends_with(ext)) return std::string(type);
  }
  return "application/octet-stream";
}

}  // namespace spacehub::http
