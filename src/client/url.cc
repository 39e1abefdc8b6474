// See url.h.
#include "client/url.h"

#include "spacehub/errors.h"

namespace spacehub::client::detail {
namespace {

bool Unreserved(unsigned char c) {
  return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

bool ValidPart(const std::string& p) {
  if (p.empty() || p.size() > 96 || p[0] == '-' || p[0] == '.') return false;
  if (p.find("..") != std::string::npos || p.back() == '.') return false;
  for (unsigned char c : p) {
    if (!(std::isalnum(c) || c == '-' || c == '_' || c == '.')) return false;
  }
  return true;
}

}  // namespace

std::string Quote(const std::string& s, bool keep_slash) {
  static const char* const kHex = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (Unreserved(c) || (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string QueryEscape(const std::string& s) { return Quote(s, false); }

void ValidateRepoId(const std::string& repo_id) {
  auto slash = repo_id.find('/');
  bool ok = slash == std::string::npos
                ? ValidPart(repo_id)
                : repo_id.find('/', slash + 1) == std::string::npos &&
                      ValidPart(repo_id.substr(0, slash)) && ValidPart(repo_id.substr(slash + 1));
  if (!ok) {
    throw LocalError(ErrorKind::kInvalidArgument,
                     "invalid repo id '" + repo_id +
                         "': expected 'name' or 'namespace/name' made of letters, digits, '-', "
                         "'_' and '.'");
  }
}

std::pair<std::string, std::string> SplitRepoId(const std::string& repo_id) {
  auto slash = repo_id.find('/');
  if (slash == std::string::npos) return {"", repo_id};
  return {repo_id.substr(0, slash), repo_id.substr(slash + 1)};
}

std::string ApiRepoUrl(const std::string& endpoint, RepoType type, const std::string& repo_id) {
  return endpoint + "/api/" + std::string(RepoTypePlural(type)) + "/" + repo_id;
}

std::string ResolveUrl(const std::string& endpoint, RepoType type, const std::string& repo_id,
                       const std::string& revision, const std::string& path) {
  return RepoWebUrl(endpoint, type, repo_id) + "/resolve/" + Quote(revision, false) + "/" +
         Quote(path, true);
}

std::string RepoWebUrl(const std::string& endpoint, RepoType type, const std::string& repo_id) {
  return endpoint + "/" + std::string(RepoTypeUrlPrefix(type)) + repo_id;
}

std::string JoinLocation(const std::string& request_url, const std::string& location,
                         bool* relative) {
  auto scheme_end = location.find("://");
  *relative = scheme_end == std::string::npos;
  if (!*relative) return location;
  // Origin of the request URL: scheme://host[:port]
  auto s = request_url.find("://");
  auto path_start = request_url.find('/', s == std::string::npos ? 0 : s + 3);
  std::string origin =
      path_start == std::string::npos ? request_url : request_url.substr(0, path_start);
  if (!location.empty() && location[0] == '/') return origin + location;
  std::string base = path_start == std::string::npos ? origin + "/" : request_url;
  auto q = base.find('?');
  if (q != std::string::npos) base.resize(q);
  return base.substr(0, base.rfind('/') + 1) + location;
}

}  // namespace spacehub::client::detail
