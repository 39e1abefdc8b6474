#include "web/repo_file.h"

#include "web/file_kinds.h"

namespace spacehub::web {

Result<PageFile> ReadPageFile(const WebContext& ctx, const Visitor& visitor, const RepoId& id,
                              const std::string& rev, const std::string& path, uint64_t max_bytes) {
  SH_ASSIGN_OR_RETURN(auto found,
                      ctx.services().files.PathsInfo(visitor.caller, id, rev, {path}, false));
  if (found.empty()) return Status::EntryNotFound(path);
  PageFile out;
  out.entry = std::move(found.front().entry);
  out.xet_hash = std::move(found.front().xet_hash);
  if (out.entry.is_dir || out.entry.lfs) return out;
  if (out.entry.size > max_bytes) {
    out.too_large = true;
    return out;
  }
  SH_ASSIGN_OR_RETURN(service::ResolvedFile file,
                      ctx.services().files.Resolve(visitor.caller, id, rev, path));
  if (file.entry.lfs || file.content.size() > max_bytes) {  // changed in between: read it again
    out.entry = std::move(file.entry);
    out.too_large = !out.entry.lfs;
    return out;
  }
  out.entry = std::move(file.entry);
  out.commit = std::move(file.commit);
  if (LooksBinary(file.content)) {
    out.binary = true;
  } else {
    out.text = std::move(file.content);
  }
  return out;
}

}  // namespace spacehub::web
