// Tree, paths-info, refs, commits, branches and tags (spec §7): the read side pages through Link
// headers (Impl::Paginate); branch and tag changes are plain, unretried calls.
#include "client/cache_layout.h"
#include "client/client_impl.h"
#include "client/error_mapping.h"
#include "client/url.h"
#include "spacehub/hub_client.h"

namespace spacehub::client {

using detail::HttpRequest;
using detail::HttpResponse;
using nlohmann::json;

namespace {

std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

RepoTreeEntry ParseTreeEntry(const json& j) {
  RepoTreeEntry e;
  if (!j.is_object()) return e;
  e.is_directory = Str(j, "type") != "file";
  e.path = Str(j, "path");
  e.oid = Str(j, "oid");
  if (auto it = j.find("size"); it != j.end() && it->is_number()) e.size = it->get<int64_t>();
  if (auto lfs = j.find("lfs"); lfs != j.end() && lfs->is_object()) {
    e.lfs_sha256 = Str(*lfs, "oid");
    if (auto it = lfs->find("size"); it != lfs->end() && it->is_number()) {
      e.size = it->get<int64_t>();
    }
  }
  if (auto c = j.find("lastCommit"); c != j.end() && c->is_object()) {
    e.last_commit_id = Str(*c, "id");
    e.last_commit_title = Str(*c, "title");
    e.last_commit_date = Str(*c, "date");
  }
  e.raw_json = j.dump();
  return e;
}

std::vector<GitRef> ParseRefs(const json& body, const char* key) {
  std::vector<GitRef> out;
  auto it = body.find(key);
  if (it == body.end() || !it->is_array()) return out;
  for (const auto& r : *it) {
    if (r.is_object()) out.push_back({Str(r, "name"), Str(r, "ref"), Str(r, "targetCommit")});
  }
  return out;
}

// A branch or tag name: one quoted path segment (spec §0.1).
std::string RefSegment(const std::string& name, const char* what) {
  if (name.empty()) throw LocalError(ErrorKind::kInvalidArgument, std::string(what) + " is empty");
  return detail::Quote(name, false);
}

}  // namespace

std::vector<RepoTreeEntry> HubClient::ListRepoTree(const std::string& repo_id,
                                                   const TreeOptions& o) const {
  detail::ValidateRepoId(repo_id);
  std::string path = o.path_in_repo;
  while (!path.empty() && path.back() == '/') path.pop_back();
  if (!path.empty()) detail::ValidatePathInRepo(path);
  std::string url = detail::ApiRepoUrl(impl_->config().endpoint, o.type, repo_id) + "/tree/" +
                    detail::Quote(o.revision.empty() ? "main" : o.revision, false);
  if (!path.empty()) url += "/" + detail::Quote(path, false);
  url += std::string("?recursive=") + (o.recursive ? "true" : "false") +
         "&expand=" + (o.expand ? "true" : "false");
  std::vector<RepoTreeEntry> out;
  impl_->Paginate(url, [&](const json& item) {
    out.push_back(ParseTreeEntry(item));
    return true;
  });
  return out;
}

std::vector<std::string> HubClient::ListRepoFiles(const std::string& repo_id, RepoType type,
                                                  const std::string& revision) const {
  TreeOptions o;
  o.type = type;
  o.revision = revision;
  o.recursive = true;
  std::vector<std::string> files;
  for (auto& e : ListRepoTree(repo_id, o)) {
    if (!e.is_directory) files.push_back(std::move(e.path));
  }
  return files;
}

std::vector<RepoTreeEntry> HubClient::GetPathsInfo(const std::string& repo_id,
                                                   const std::vector<std::string>& paths,
                                                   RepoType type, const std::string& revision,
                                                   bool expand) const {
  detail::ValidateRepoId(repo_id);
  std::string form;
  for (const auto& p : paths) {
    form += (form.empty() ? "" : "&") + std::string("paths=") + detail::QueryEscape(p);
  }
  form += std::string(form.empty() ? "" : "&") + "expand=" + (expand ? "true" : "false");
  HttpRequest r = impl_->Make(
      "POST", detail::ApiRepoUrl(impl_->config().endpoint, type, repo_id) + "/paths-info/" +
                  detail::Quote(revision.empty() ? "main" : revision, false));
  r.headers.push_back("Content-Type: application/x-www-form-urlencoded");
  r.body = form;
  HttpResponse resp = detail::Perform(r);
  detail::RaiseForStatus(resp);
  json arr = json::parse(resp.body, nullptr, false);
  std::vector<RepoTreeEntry> out;
  if (arr.is_array()) {
    for (const auto& item : arr) out.push_back(ParseTreeEntry(item));
  }
  return out;
}

GitRefs HubClient::ListRepoRefs(const std::string& repo_id, RepoType type,
                                bool include_pull_requests) const {
  detail::ValidateRepoId(repo_id);
  std::string url = detail::ApiRepoUrl(impl_->config().endpoint, type, repo_id) + "/refs";
  if (include_pull_requests) url += "?include_prs=1";
  json body = impl_->CallJson("GET", url);
  GitRefs refs;
  refs.branches = ParseRefs(body, "branches");
  refs.converts = ParseRefs(body, "converts");
  refs.tags = ParseRefs(body, "tags");
  refs.pull_requests = ParseRefs(body, "pullRequests");
  return refs;
}

std::vector<GitCommit> HubClient::ListRepoCommits(const std::string& repo_id, RepoType type,
                                                  const std::string& revision, int limit) const {
  detail::ValidateRepoId(repo_id);
  std::string url = detail::ApiRepoUrl(impl_->config().endpoint, type, repo_id) + "/commits/" +
                    detail::Quote(revision.empty() ? "main" : revision, false);
  if (limit > 0) url += "?limit=" + std::to_string(limit);
  std::vector<GitCommit> out;
  impl_->Paginate(url, [&](const json& c) {
    GitCommit g;
    g.id = Str(c, "id");
    g.date = Str(c, "date");
    g.title = Str(c, "title");
    g.message = Str(c, "message");
    if (auto a = c.find("authors"); a != c.end() && a->is_array()) {
      for (const auto& who : *a) {
        if (who.is_object()) g.authors.push_back(Str(who, "user"));
      }
    }
    out.push_back(std::move(g));
    return limit <= 0 || static_cast<int>(out.size()) < limit;
  });
  return out;
}

void HubClient::CreateBranch(const std::string& repo_id, const std::string& branch, RepoType type,
                             const std::string& starting_point, bool exist_ok) const {
  impl_->RequireToken("create_branch");
  detail::ValidateRepoId(repo_id);
  json body = json::object();
  if (!starting_point.empty()) body["startingPoint"] = starting_point;
  try {
    impl_->CallJson("POST",
                    detail::ApiRepoUrl(impl_->config().endpoint, type, repo_id) + "/branch/" +
                        RefSegment(branch, "branch name"),
                    body);
  } catch (const HttpError& e) {
    if (!(exist_ok && e.status() == 409)) throw;
  }
}

void HubClient::DeleteBranch(const std::string& repo_id, const std::string& branch,
                             RepoType type) const {
  impl_->RequireToken("delete_branch");
  detail::ValidateRepoId(repo_id);
  impl_->CallJson("DELETE", detail::ApiRepoUrl(impl_->config().endpoint, type, repo_id) +
                                "/branch/" + RefSegment(branch, "branch name"));
}

void HubClient::CreateTag(const std::string& repo_id, const std::string& tag, RepoType type,
                          const std::string& revision, const std::string& message,
                          bool exist_ok) const {
  impl_->RequireToken("create_tag");
  detail::ValidateRepoId(repo_id);
  if (tag.empty()) throw LocalError(ErrorKind::kInvalidArgument, "tag name is empty");
  json body = {{"tag", tag}};
  if (!message.empty()) body["message"] = message;
  try {
    impl_->CallJson("POST",
                    detail::ApiRepoUrl(impl_->config().endpoint, type, repo_id) + "/tag/" +
                        detail::Quote(revision.empty() ? "main" : revision, false),
                    body);
  } catch (const HttpError& e) {
    if (!(exist_ok && e.status() == 409)) throw;
  }
}

void HubClient::DeleteTag(const std::string& repo_id, const std::string& tag, RepoType type) const {
  impl_->RequireToken("delete_tag");
  detail::ValidateRepoId(repo_id);
  impl_->CallJson("DELETE", detail::ApiRepoUrl(impl_->config().endpoint, type, repo_id) + "/tag/" +
                                RefSegment(tag, "tag name"));
}

}  // namespace spacehub::client
