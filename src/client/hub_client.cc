// HubClient construction, identity and repository calls (spec §1–§3).
#include "spacehub/hub_client.h"

#include "client/client_impl.h"
#include "client/error_mapping.h"
#include "client/paging.h"
#include "client/url.h"

namespace spacehub::client {

using detail::HttpRequest;
using detail::HttpResponse;
using nlohmann::json;

HubClient::Impl::Impl(ClientOptions options)
    : options_(std::move(options)),
      config_(detail::ResolveConfig(options_, detail::ProcessEnv())) {}

HttpRequest HubClient::Impl::Make(const std::string& method, const std::string& url) const {
  // Every call builds its first request here (the few requests made without Make — a download
  // redirected to another host, LFS part uploads — follow one made with it), so offline mode
  // stops a call before anything is sent, as huggingface_hub's request hook does.
  if (config_.offline) {
    throw OfflineModeIsEnabled("cannot reach " + url +
                               ": offline mode is enabled (unset HF_HUB_OFFLINE to go online)");
  }
  HttpRequest r;
  r.method = method;
  r.url = url;
  r.headers.push_back("User-Agent: " + options_.user_agent);
  if (!config_.token.empty()) r.headers.push_back("Authorization: Bearer " + config_.token);
  return r;
}

json HubClient::Impl::CallJson(const std::string& method, const std::string& url, const json& body,
                               detail::RetryPolicy retry) const {
  HttpRequest r = Make(method, url);
  if (!body.is_null()) {
    r.body = body.dump();
    r.headers.push_back("Content-Type: application/json");
  }
  HttpResponse resp = detail::PerformWithRetry(r, retry);
  detail::RaiseForStatus(resp);
  return json::parse(resp.body, nullptr, /*allow_exceptions=*/false);
}

void HubClient::Impl::Paginate(const std::string& first_url,
                               const std::function<bool(const json&)>& on_item) const {
  std::string url = first_url;
  while (!url.empty()) {
    HttpResponse resp = detail::PerformWithRetry(Make("GET", url), detail::RetryPolicy::kAll);
    detail::RaiseForStatus(resp);
    json page = json::parse(resp.body, nullptr, false);
    if (!page.is_array()) {
      throw HttpError(ErrorKind::kHttp, resp.status, "", "a list page is not a JSON array",
                      resp.Header("x-request-id"), url);
    }
    for (const auto& item : page) {
      if (!on_item(item)) return;
    }
    url = detail::ParseNextLink(resp.Header("link"));
  }
}

void HubClient::Impl::RequireToken(const char* what) const {
  if (config_.token.empty()) {
    throw LocalError(ErrorKind::kAuthRequired,
                     std::string(what) + " needs a token: set HF_TOKEN or write $HF_HOME/token");
  }
}

std::string HubClient::Impl::SpaceUrl(const std::string& repo_id, const std::string& suffix) const {
  detail::ValidateRepoId(repo_id);
  return detail::ApiRepoUrl(config_.endpoint, RepoType::kSpace, repo_id) + suffix;
}

HubClient::HubClient(ClientOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
HubClient::~HubClient() = default;
HubClient::HubClient(HubClient&&) noexcept = default;
HubClient& HubClient::operator=(HubClient&&) noexcept = default;

const std::string& HubClient::endpoint() const { return impl_->config().endpoint; }
const std::string& HubClient::cache_dir() const { return impl_->config().cache_dir; }
bool HubClient::has_token() const { return !impl_->config().token.empty(); }

WhoAmI HubClient::Whoami() const {
  impl_->RequireToken("whoami");
  json j = impl_->CallJson("GET", impl_->config().endpoint + "/api/whoami-v2");
  WhoAmI w;
  w.name = j.value("name", "");
  w.type = j.value("type", "");
  if (auto it = j.find("orgs"); it != j.end() && it->is_array()) {
    for (const auto& o : *it) {
      if (o.is_object()) w.orgs.push_back(o.value("name", ""));
    }
  }
  w.raw_json = j.dump();
  return w;
}

namespace {

json KeyValues(const std::vector<KeyValue>& kvs) {
  json a = json::array();
  for (const auto& kv : kvs) {
    json o = {{"key", kv.key}, {"value", kv.value}};
    if (!kv.description.empty()) o["description"] = kv.description;
    a.push_back(o);
  }
  return a;
}

}  // namespace

std::string HubClient::CreateRepo(const std::string& repo_id, const CreateRepoOptions& o) const {
  impl_->RequireToken("create_repo");
  detail::ValidateRepoId(repo_id);
  auto [ns, name] = detail::SplitRepoId(repo_id);
  json body = {{"name", name}, {"private", o.private_repo}};
  body["organization"] = ns.empty() ? json(nullptr) : json(ns);
  if (o.type != RepoType::kModel) body["type"] = RepoTypeName(o.type);
  if (o.type == RepoType::kSpace) {
    if (o.space_sdk.empty()) {
      throw LocalError(ErrorKind::kInvalidArgument,
                       "a Space needs an SDK: gradio, streamlit, docker or static");
    }
    body["sdk"] = o.space_sdk;
    if (!o.space_hardware.empty()) body["hardware"] = o.space_hardware;
    if (o.space_storage) body["storageTier"] = SpaceStorageName(*o.space_storage);
    if (o.space_sleep_time) body["sleepTimeSeconds"] = *o.space_sleep_time;
    if (!o.space_secrets.empty()) body["secrets"] = KeyValues(o.space_secrets);
    if (!o.space_variables.empty()) body["variables"] = KeyValues(o.space_variables);
  }
  HttpRequest r = impl_->Make("POST", impl_->config().endpoint + "/api/repos/create");
  r.body = body.dump();
  r.headers.push_back("Content-Type: application/json");
  HttpResponse resp = detail::Perform(r);
  if (resp.status == 409 && o.exist_ok) {
    json j = json::parse(resp.body, nullptr, false);
    if (j.is_object() && j.contains("url") && j["url"].is_string()) return j["url"];
    return detail::RepoWebUrl(impl_->config().endpoint, o.type, repo_id);
  }
  detail::RaiseForStatus(resp);
  json j = json::parse(resp.body, nullptr, false);
  if (j.is_object() && j.contains("url") && j["url"].is_string()) return j["url"];
  return detail::RepoWebUrl(impl_->config().endpoint, o.type, repo_id);
}

void HubClient::DeleteRepo(const std::string& repo_id, RepoType type, bool missing_ok) const {
  impl_->RequireToken("delete_repo");
  detail::ValidateRepoId(repo_id);
  auto [ns, name] = detail::SplitRepoId(repo_id);
  json body = {{"name", name}, {"organization", ns.empty() ? json(nullptr) : json(ns)}};
  if (type != RepoType::kModel) body["type"] = RepoTypeName(type);
  try {
    impl_->CallJson("DELETE", impl_->config().endpoint + "/api/repos/delete", body);
  } catch (const RepositoryNotFound&) {
    if (!missing_ok) throw;
  }
}

RepoInfo ParseRepoInfo(const json& j) {
  RepoInfo info;
  if (!j.is_object()) return info;
  info.id = j.value("id", "");
  info.sha = j.value("sha", "");
  info.private_repo = j.value("private", false);
  info.last_modified = j.value("lastModified", "");
  info.sdk = j.value("sdk", "");
  if (auto it = j.find("runtime"); it != j.end() && it->is_object()) {
    info.runtime_stage_name = it->value("stage", "");
    info.runtime_stage = wire::ParseSpaceStage(info.runtime_stage_name);
  }
  if (auto it = j.find("siblings"); it != j.end() && it->is_array()) {
    for (const auto& s : *it) {
      RepoFile f;
      f.path = s.value("rfilename", "");
      if (s.contains("size") && s["size"].is_number()) f.size = s["size"].get<int64_t>();
      if (auto lfs = s.find("lfs"); lfs != s.end() && lfs->is_object()) {
        f.lfs_sha256 = lfs->value("sha256", "");
        if (!f.size && lfs->contains("size")) f.size = (*lfs)["size"].get<int64_t>();
      }
      info.siblings.push_back(std::move(f));
    }
  }
  info.raw_json = j.dump();
  return info;
}

RepoInfo HubClient::GetRepoInfo(const std::string& repo_id, RepoType type,
                                const std::string& revision) const {
  detail::ValidateRepoId(repo_id);
  std::string url = detail::ApiRepoUrl(impl_->config().endpoint, type, repo_id);
  if (!revision.empty()) url += "/revision/" + detail::Quote(revision, false);
  return ParseRepoInfo(impl_->CallJson("GET", url));
}

RepoInfo HubClient::SpaceInfo(const std::string& repo_id) const {
  return GetRepoInfo(repo_id, RepoType::kSpace);
}

std::vector<RepoInfo> HubClient::ListRepos(RepoType type, const std::string& author,
                                           const std::string& search, int limit) const {
  std::string url = impl_->config().endpoint + "/api/" + std::string(RepoTypePlural(type));
  std::string q;
  auto add = [&q](const std::string& k, const std::string& v) {
    q += (q.empty() ? "?" : "&") + k + "=" + detail::QueryEscape(v);
  };
  if (!author.empty()) add("author", author);
  if (!search.empty()) add("search", search);
  if (limit > 0) add("limit", std::to_string(limit));
  url += q;
  std::vector<RepoInfo> out;
  impl_->Paginate(url, [&](const json& item) {
    out.push_back(ParseRepoInfo(item));
    return limit <= 0 || static_cast<int>(out.size()) < limit;
  });
  return out;
}

void HubClient::MoveRepo(const std::string& from_id, const std::string& to_id,
                         RepoType type) const {
  impl_->RequireToken("move_repo");
  detail::ValidateRepoId(from_id);
  detail::ValidateRepoId(to_id);
  if (from_id.find('/') == std::string::npos || to_id.find('/') == std::string::npos) {
    throw LocalError(ErrorKind::kInvalidArgument,
                     "move_repo needs full ids: namespace/name for both repos");
  }
  impl_->CallJson("POST", impl_->config().endpoint + "/api/repos/move",
                  json{{"fromRepo", from_id}, {"toRepo", to_id}, {"type", RepoTypeName(type)}});
}

}  // namespace spacehub::client
