#include "repo/checkout.h"

#include <fstream>

namespace spacehub::repo {
namespace fs = std::filesystem;
namespace {

// A path of the tree that stays below the checkout: relative, without "." or "..".
bool SafeRelativePath(const std::string& p) {
  if (p.empty() || p.front() == '/') return false;
  fs::path path(p);
  for (const auto& part : path) {
    if (part == ".." || part == ".") return false;
  }
  return true;
}

Status WriteFile(const fs::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!out) return Status::Internal("Cannot write " + path.string());
  return Status::Ok();
}

// The files get a checkout's usual modes whatever the hub's umask (a Dockerfile's COPY keeps
// them, and the app reads them as its own uid); the directory itself stays the hub's only until
// the build hands it over.
Status SetCheckoutModes(const fs::path& root) {
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const bool dir = it->is_directory(ec);
    fs::permissions(it->path(),
                    dir ? fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                              fs::perms::others_read | fs::perms::others_exec
                        : fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                              fs::perms::others_read,
                    ec);
  }
  if (ec) return Status::Internal("Cannot set the checkout's modes: " + ec.message());
  fs::permissions(root, fs::perms::owner_all, ec);
  return Status::Ok();
}

}  // namespace

Result<std::vector<std::string>> CheckoutCommit(const RepoStore& repos, const LfsStore& lfs,
                                                const RepoId& id, const std::string& sha,
                                                const fs::path& dest) {
  SH_ASSIGN_OR_RETURN(auto entries, repos.ListTree(id, sha, "", /*recursive=*/true));
  fs::path tmp = dest;
  tmp += ".tmp";
  std::error_code ec;
  fs::remove_all(tmp, ec);
  fs::create_directories(tmp, ec);
  if (ec) return Status::Internal("Cannot create " + tmp.string() + ": " + ec.message());
  std::vector<std::string> files;
  for (const auto& e : entries) {
    if (!SafeRelativePath(e.path)) {
      return Status::InvalidArgument("Refusing to check out the path '" + e.path + "'");
    }
    fs::path target = tmp / e.path;
    if (e.is_dir) {
      fs::create_directories(target, ec);
      continue;
    }
    fs::create_directories(target.parent_path(), ec);
    if (e.lfs) {
      fs::path object = lfs.ObjectPath(e.lfs->oid);
      fs::copy_file(object, target, fs::copy_options::overwrite_existing, ec);
      if (ec) {
        return Status::Internal("The LFS object of '" + e.path + "' is missing: " + ec.message());
      }
    } else {
      SH_ASSIGN_OR_RETURN(std::string content, repos.ReadFile(id, sha, e.path));
      SH_TRY(WriteFile(target, content));
    }
    files.push_back(e.path);
  }
  SH_TRY(SetCheckoutModes(tmp));
  fs::rename(tmp, dest, ec);
  if (ec) return Status::Internal("Cannot move the checkout into place: " + ec.message());
  return files;
}

}  // namespace spacehub::repo
