// Space settings and runtime calls (spec §2.5, §4): secrets, variables, hardware, sleep time,
// pause, restart, storage, duplicate, and WaitForSpace.
#include <thread>

#include "client/client_impl.h"
#include "client/error_mapping.h"
#include "client/url.h"
#include "spacehub/hub_client.h"

namespace spacehub::client {

using nlohmann::json;

namespace {

std::optional<std::string> OptString(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

std::vector<SpaceVariable> ParseVariables(const json& j) {
  std::vector<SpaceVariable> out;
  if (!j.is_object()) return out;
  for (const auto& [key, v] : j.items()) {
    SpaceVariable var;
    var.key = key;
    if (v.is_object()) {
      var.value = v.value("value", "");
      var.description = v.value("description", "");
      var.updated_at = v.value("updatedAt", "");
    }
    out.push_back(std::move(var));
  }
  return out;
}

json KeyValueBody(const std::string& key, const std::string& value,
                  const std::string& description) {
  json b = {{"key", key}, {"value", value}};
  if (!description.empty()) b["description"] = description;
  return b;
}

}  // namespace

SpaceRuntime ParseSpaceRuntime(const json& j) {
  SpaceRuntime rt;
  if (!j.is_object()) return rt;
  rt.stage_name = j.value("stage", "");
  rt.stage = wire::ParseSpaceStage(rt.stage_name);
  if (auto hw = j.find("hardware"); hw != j.end() && hw->is_object()) {
    rt.hardware = OptString(*hw, "current");
    rt.requested_hardware = OptString(*hw, "requested");
  }
  if (auto gc = j.find("gcTimeout"); gc != j.end() && gc->is_number()) {
    rt.sleep_time = gc->get<int64_t>();
  }
  rt.storage = OptString(j, "storage");
  rt.raw_json = j.dump();
  return rt;
}

bool IsTransitionalStage(const std::string& stage) {
  std::optional<wire::SpaceStage> known = wire::ParseSpaceStage(stage);
  return known && wire::IsTransitional(*known);
}

std::string HubClient::DuplicateSpace(const std::string& from_id,
                                      const DuplicateSpaceOptions& o) const {
  impl_->RequireToken("duplicate_space");
  detail::ValidateRepoId(from_id);
  std::string to = o.to_id;
  if (to.empty()) to = detail::SplitRepoId(from_id).second;
  if (to.find('/') == std::string::npos) to = Whoami().name + "/" + to;
  detail::ValidateRepoId(to);
  json body = {{"repository", to}};
  if (o.private_repo) body["private"] = *o.private_repo;
  if (!o.hardware.empty()) body["hardware"] = o.hardware;
  if (o.storage) body["storageTier"] = SpaceStorageName(*o.storage);
  if (o.sleep_time) body["sleepTimeSeconds"] = *o.sleep_time;
  json secrets = json::array(), variables = json::array();
  for (const auto& kv : o.secrets)
    secrets.push_back(KeyValueBody(kv.key, kv.value, kv.description));
  for (const auto& kv : o.variables) {
    variables.push_back(KeyValueBody(kv.key, kv.value, kv.description));
  }
  if (!secrets.empty()) body["secrets"] = secrets;
  if (!variables.empty()) body["variables"] = variables;
  detail::HttpRequest r = impl_->Make("POST", impl_->SpaceUrl(from_id, "/duplicate"));
  r.body = body.dump();
  r.headers.push_back("Content-Type: application/json");
  detail::HttpResponse resp = detail::Perform(r);
  if (!(resp.status == 409 && o.exist_ok)) detail::RaiseForStatus(resp);
  json j = json::parse(resp.body, nullptr, false);
  if (j.is_object() && j.contains("url") && j["url"].is_string()) return j["url"];
  return detail::RepoWebUrl(impl_->config().endpoint, RepoType::kSpace, to);
}

void HubClient::AddSpaceSecret(const std::string& repo_id, const std::string& key,
                               const std::string& value, const std::string& description) const {
  impl_->CallJson("POST", impl_->SpaceUrl(repo_id, "/secrets"),
                  KeyValueBody(key, value, description));
}

void HubClient::DeleteSpaceSecret(const std::string& repo_id, const std::string& key) const {
  impl_->CallJson("DELETE", impl_->SpaceUrl(repo_id, "/secrets"), json{{"key", key}});
}

std::vector<SpaceVariable> HubClient::GetSpaceVariables(const std::string& repo_id) const {
  return ParseVariables(impl_->CallJson("GET", impl_->SpaceUrl(repo_id, "/variables")));
}

std::vector<SpaceVariable> HubClient::AddSpaceVariable(const std::string& repo_id,
                                                       const std::string& key,
                                                       const std::string& value,
                                                       const std::string& description) const {
  return ParseVariables(impl_->CallJson("POST", impl_->SpaceUrl(repo_id, "/variables"),
                                        KeyValueBody(key, value, description)));
}

std::vector<SpaceVariable> HubClient::DeleteSpaceVariable(const std::string& repo_id,
                                                          const std::string& key) const {
  return ParseVariables(
      impl_->CallJson("DELETE", impl_->SpaceUrl(repo_id, "/variables"), json{{"key", key}}));
}

SpaceRuntime HubClient::GetSpaceRuntime(const std::string& repo_id) const {
  return ParseSpaceRuntime(impl_->CallJson("GET", impl_->SpaceUrl(repo_id, "/runtime")));
}

SpaceRuntime HubClient::RequestSpaceHardware(const std::string& repo_id,
                                             const std::string& hardware,
                                             std::optional<int64_t> sleep_time) const {
  if (hardware.empty()) throw LocalError(ErrorKind::kInvalidArgument, "hardware flavor is empty");
  json body = {{"flavor", hardware}};
  if (sleep_time) body["sleepTimeSeconds"] = *sleep_time;
  return ParseSpaceRuntime(impl_->CallJson("POST", impl_->SpaceUrl(repo_id, "/hardware"), body));
}

SpaceRuntime HubClient::SetSpaceSleepTime(const std::string& repo_id, int64_t sleep_time) const {
  return ParseSpaceRuntime(impl_->CallJson("POST", impl_->SpaceUrl(repo_id, "/sleeptime"),
                                           json{{"seconds", sleep_time}}));
}

SpaceRuntime HubClient::PauseSpace(const std::string& repo_id) const {
  return ParseSpaceRuntime(impl_->CallJson("POST", impl_->SpaceUrl(repo_id, "/pause")));
}

SpaceRuntime HubClient::RestartSpace(const std::string& repo_id, bool factory_reboot) const {
  return ParseSpaceRuntime(impl_->CallJson(
      "POST", impl_->SpaceUrl(repo_id, factory_reboot ? "/restart?factory=true" : "/restart")));
}

SpaceRuntime HubClient::RequestSpaceStorage(const std::string& repo_id,
                                            SpaceStorage storage) const {
  return ParseSpaceRuntime(impl_->CallJson("POST", impl_->SpaceUrl(repo_id, "/storage"),
                                           json{{"tier", SpaceStorageName(storage)}}));
}

SpaceRuntime HubClient::DeleteSpaceStorage(const std::string& repo_id) const {
  return ParseSpaceRuntime(impl_->CallJson("DELETE", impl_->SpaceUrl(repo_id, "/storage")));
}

SpaceRuntime HubClient::WaitForSpace(const std::string& repo_id, std::chrono::milliseconds timeout,
                                     std::chrono::milliseconds interval) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    SpaceRuntime rt = GetSpaceRuntime(repo_id);
    // A stage this build does not know is not waited through: only the server knows its meaning.
    if (!rt.stage || !wire::IsTransitional(*rt.stage)) return rt;
    if (std::chrono::steady_clock::now() + interval > deadline) {
      throw TimeoutError("Space " + repo_id + " still " + rt.stage_name + " after " +
                         std::to_string(timeout.count()) + " ms");
    }
    std::this_thread::sleep_for(interval);
  }
}

}  // namespace spacehub::client
