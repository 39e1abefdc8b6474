// WebContext: what the pages share — the same service instances the JSON API uses (one set of
// rules for both), the hub's sessions, and the options that shape pages (public URL, where Spaces
// are served, the sign-up policy). Built once at start-up; read-only afterwards, so safe from every
// I/O thread.
#pragma once

#include <string>

#include "auth/sessions.h"
#include "http/request.h"
#include "service/commit_service.h"
#include "service/file_service.h"
#include "service/job_service.h"
#include "service/ref_service.h"
#include "service/repo_service.h"
#include "service/space_service.h"

namespace spacehub::web {

struct WebOptions {
  // The hub's public URL; its scheme decides whether cookies are Secure (and `__Host-` named).
  std::string public_url;
  // Where Space apps are served, for the Content-Security-Policy's frame-src: e.g.
  // "http://*.localhost:8080". The pages embed apps only from there.
  std::string space_frame_src;
};

// The services the pages call; the API's instances, borrowed.
struct WebServices {
  service::RepoService& repos;
  service::CommitService& commits;
  service::FileService& files;
  service::RefService& refs;
  service::SpaceService& spaces;
  service::JobService& jobs;
};

// Who is asking: the session behind the cookie (or a token), and the session's CSRF token.
struct Visitor {
  service::Caller caller;  // nullopt: signed out
  std::string csrf;        // "" without a session
  const auth::Principal* user() const { return caller ? &*caller : nullptr; }
};

class WebContext final {
 public:
  WebContext(service::Hub& hub, WebServices services, WebOptions options)
      : hub_(hub), services_(services), options_(std::move(options)) {}

  service::Hub& hub() const { return hub_; }
  const WebServices& services() const { return services_; }
  const WebOptions& options() const { return options_; }
  void SetPublicUrl(std::string url) { options_.public_url = std::move(url); }
  void SetSpaceFrameSrc(std::string src) { options_.space_frame_src = std::move(src); }

  // The visitor behind the request's session cookie; an unknown or expired cookie is a signed-out
  // visitor, never an error page.
  Result<Visitor> VisitorOf(const http::Request& req) const;
  bool SecureCookies() const;
  // The session cookie's name: `__Host-spacehub_session` over https, `spacehub_session` otherwise
  // (browsers accept the __Host- prefix only on Secure cookies).
  std::string_view CookieName() const;

 private:
  service::Hub& hub_;
  WebServices services_;
  WebOptions options_;
};

}  // namespace spacehub::web
