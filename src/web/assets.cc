#include "web/assets.h"

#include <map>

#include "core/crypto.h"

namespace spacehub::web {

// Defined in the generated embedded_files.cc.
extern const std::pair<std::string_view, std::string_view> kEmbeddedFiles[];
extern const unsigned kEmbeddedFileCount;

namespace {

std::string_view ContentTypeFor(std::string_view name) {
  auto ends = [name](std::string_view ext) {
    return name.size() >= ext.size() && name.substr(name.size() - ext.size()) == ext;
  };
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".png")) return "image/png";
  if (ends(".ico")) return "image/x-icon";
  return "text/plain; charset=utf-8";
}

const std::map<std::string_view, EmbeddedFile>& Index() {
  static const auto* index = [] {
    auto* m = new std::map<std::string_view, EmbeddedFile>();
    for (unsigned i = 0; i < kEmbeddedFileCount; ++i) {
      const auto& [name, data] = kEmbeddedFiles[i];
      (*m)[name] = EmbeddedFile{name, data, ContentTypeFor(name),
                                "\"" + Sha256Hex(data).substr(0, 32) + "\""};
    }
    return m;
  }();
  return *index;
}

}  // namespace

const EmbeddedFile* FindEmbedded(std::string_view name) {
  const auto& index = Index();
  auto it = index.find(name);
  return it == index.end() ? nullptr : &it->second;
}

std::vector<const EmbeddedFile*> EmbeddedUnder(std::string_view prefix) {
  std::vector<const EmbeddedFile*> out;
  for (auto it = Index().lower_bound(prefix); it != Index().end() && it->first.starts_with(prefix);
       ++it) {
    out.push_back(&it->second);
  }
  return out;
}

}  // namespace spacehub::web
