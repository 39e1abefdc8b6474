// See local_dir.h.
#include "client/local_dir.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include "client/cache_layout.h"
#include "client/hashing.h"
#include "spacehub/errors.h"

namespace spacehub::client::detail {
namespace {

std::string Strip(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

// base64.urlsafe_b64encode(hashlib.sha1(name.encode()).digest()): padding kept.
std::string ShortHash(const std::string& name) {
  std::string b = Base64(Sha1Raw(name));
  for (char& c : b) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return b;
}

}  // namespace

LocalDirPaths MakeLocalDirPaths(const std::string& local_dir, const std::string& path_in_repo) {
  ValidatePathInRepo(path_in_repo);
  if (local_dir.empty()) throw LocalError(ErrorKind::kInvalidArgument, "empty local_dir");
  std::string dir = local_dir;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  const std::string base = (dir == "/" ? "" : dir) + "/.cache/huggingface";
  LocalDirPaths p;
  p.file = (dir == "/" ? "" : dir) + "/" + path_in_repo;
  p.gitignore = base + "/.gitignore";
  p.metadata = base + "/download/" + path_in_repo + ".metadata";
  p.lock = base + "/download/" + path_in_repo + ".lock";  // Path.with_suffix(".lock")
  size_t slash = path_in_repo.rfind('/');
  std::string parent = slash == std::string::npos ? "" : path_in_repo.substr(0, slash + 1);
  std::string name = path_in_repo.substr(slash == std::string::npos ? 0 : slash + 1);
  p.incomplete_prefix = base + "/download/" + parent + ShortHash(name + ".metadata") + ".";
  return p;
}

std::string FormatLocalDirMetadata(const LocalDirMetadata& m) {
  // The shortest text that reads back as the same double, as Python's str(time.time()) writes.
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), m.timestamp);
  std::string t(buf, r.ptr);
  if (t.find_first_of(".e") == std::string::npos) t += ".0";
  return m.commit + "\n" + m.etag + "\n" + t + "\n";
}

std::optional<LocalDirMetadata> ParseLocalDirMetadata(const std::string& text) {
  std::istringstream in(text);
  std::string commit, etag, time;
  // Python reads three lines with readline(): a missing line reads as "", which float() refuses.
  std::getline(in, commit);
  std::getline(in, etag);
  std::getline(in, time);
  time = Strip(time);
  if (time.empty()) return std::nullopt;
  char* end = nullptr;
  double t = std::strtod(time.c_str(), &end);
  if (end != time.c_str() + time.size() || std::isnan(t)) return std::nullopt;
  return LocalDirMetadata{Strip(commit), Strip(etag), t};
}

bool LocalDirMetadataIsFresh(const LocalDirMetadata& m, double file_mtime) {
  return file_mtime - 1 <= m.timestamp;  // 1 s of slack: mtimes may be coarse
}

bool IsSha256Hex(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace spacehub::client::detail
