// HubClient::Impl: the resolved configuration plus the request helpers every call file uses.
// Immutable after construction, so const methods are safe from any thread.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "client/config.h"
#include "client/http.h"
#include "spacehub/hub_client.h"

namespace spacehub::client {

class HubClient::Impl {
 public:
  explicit Impl(ClientOptions options);

  const detail::ResolvedConfig& config() const { return config_; }
  const ClientOptions& options() const { return options_; }

  // A request with the auth and user-agent headers set. Throws OfflineModeIsEnabled in offline
  // mode.
  detail::HttpRequest Make(const std::string& method, const std::string& url) const;
  // Sends JSON (when not null), raises typed errors, returns the parsed body (null when empty or
  // not JSON).
  nlohmann::json CallJson(const std::string& method, const std::string& url,
                          const nlohmann::json& body = nullptr,
                          detail::RetryPolicy retry = detail::RetryPolicy::kNone) const;
  // GETs `url` and every rel="next" page after it (each retried as huggingface_hub retries
  // pagination), calling on_item per element of each page's JSON array until it returns false.
  void Paginate(const std::string& url,
                const std::function<bool(const nlohmann::json& item)>& on_item) const;
  // Throws LocalError(kAuthRequired) when no token is configured.
  void RequireToken(const char* what) const;

  std::string SpaceUrl(const std::string& repo_id, const std::string& suffix) const;
  // Jobs (jobs.cc): `ns`, else the caller's name (one whoami call).
  std::string Namespace(const HubClient& client, const std::string& ns) const;
  // /api/{collection}/{ns}/{id}{suffix}, where `id` may carry its own "ns/".
  std::string JobUrl(const HubClient& client, const char* collection, const std::string& id,
                     const std::string& ns, const char* suffix) const;

 private:
  ClientOptions options_;
  detail::ResolvedConfig config_;
};

SpaceRuntime ParseSpaceRuntime(const nlohmann::json& j);
RepoInfo ParseRepoInfo(const nlohmann::json& j);

}  // namespace spacehub::client
