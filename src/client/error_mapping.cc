// See error_mapping.h.
#include "client/error_mapping.h"

#include <nlohmann/json.hpp>

#include "client/rate_limit.h"
#include "spacehub/errors.h"

namespace spacehub::client::detail {

std::string ServerMessage(const HttpResponse& r) {
  if (std::string m = r.Header("x-error-message"); !m.empty()) return m;
  auto j = nlohmann::json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  if (j.is_object()) {
    if (auto it = j.find("error"); it != j.end()) {
      if (it->is_string()) return it->get<std::string>();
      if (it->is_array()) {
        std::string all;
        for (const auto& e : *it) {
          if (!e.is_string()) continue;
          if (!all.empty()) all += "\n";
          all += e.get<std::string>();
        }
        if (!all.empty()) return all;
      }
    }
    if (auto it = j.find("error_description"); it != j.end() && it->is_string()) {
      return it->get<std::string>();
    }
    return "";
  }
  std::string ct = r.Header("content-type");
  if (!j.is_discarded() || ct.find("html") != std::string::npos || r.body.size() > 1000) return "";
  std::string body = r.body;
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.pop_back();
  return body;
}

std::exception_ptr MapHttpError(const HttpResponse& r) {
  if (r.status < 400) return nullptr;
  std::string code = r.Header("x-error-code");
  std::string msg = ServerMessage(r);
  if (r.status == 429) {  // name the limit and its reset, as huggingface_hub does
    if (auto limit = ParseRateLimit(r.Header("ratelimit"), r.Header("ratelimit-policy"))) {
      msg = DescribeRateLimit(*limit) + (msg.empty() ? "" : " " + msg);
    }
  }
  std::string rid = r.Header("x-request-id");
  if (code == "RevisionNotFound") {
    return std::make_exception_ptr(RevisionNotFound(r.status, code, msg, rid, r.url));
  }
  if (code == "EntryNotFound") {
    return std::make_exception_ptr(EntryNotFound(r.status, code, msg, rid, r.url));
  }
  if (code == "GatedRepo") {
    return std::make_exception_ptr(GatedRepo(r.status, code, msg, rid, r.url));
  }
  if (code == "RepoNotFound") {
    return std::make_exception_ptr(RepositoryNotFound(r.status, code, msg, rid, r.url));
  }
  if (r.status == 400) {
    return std::make_exception_ptr(BadRequest(r.status, code, msg, rid, r.url));
  }
  return std::make_exception_ptr(HttpError(ErrorKind::kHttp, r.status, code, msg, rid, r.url));
}

void RaiseForStatus(const HttpResponse& r) {
  if (auto e = MapHttpError(r)) std::rethrow_exception(e);
}

}  // namespace spacehub::client::detail
