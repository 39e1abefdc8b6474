// Pages: the one place a web route's result becomes HTTP — the layout around a view, the security
// headers every hub page carries, redirects, and errors rendered as HTML pages (with the same
// status, X-Error-Code and X-Error-Message as the JSON API gives for the same Status).
//
// Security headers: a strict Content-Security-Policy (scripts and styles only from the hub itself,
// no inline script; frames only from the Spaces' origins; `frame-ancestors 'none'`), nosniff, no
// referrer to other origins, and no caching of pages (they show private data to one visitor).
//
// Form posts (FormRoute) need a signed-in visitor and the session's CSRF token in the `_csrf`
// field; a post from another origin (Origin header) is refused too. Thread-safe (stateless).
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "http/router.h"
#include "web/web_context.h"

namespace spacehub::web {

// nlohmann::json's default constructor holds a throw for a case a null json never takes (as for
// service::CommitSnapshot).
struct PageView {  // NOLINT(bugprone-exception-escape)
  std::string title;
  std::string view;       // templates/<view>.mustache
  nlohmann::json data{};  // the view's data (an object)
  int status = 200;
  std::string section{};   // which top navigation entry is current: "spaces", "models", ...
  bool highlight = false;  // loads highlight.js and its style (file views with code)
};

// The view inside the layout, with the visitor's name and CSRF token for the sign-out form.
Result<http::Response> RenderPage(const WebContext& ctx, const Visitor& visitor, PageView page);
// 303 See Other to a path on the hub (the answer to a successful form post).
http::Response Redirect(std::string_view location);
// Adds the headers every hub page carries.
void AddPageHeaders(const WebContext& ctx, http::Response& resp);

// A file sent with a multipart/form-data form.
struct FormFile {
  std::string name;       // the input's name
  std::string filename;   // as the browser sent it: not a safe path (see web/file_paths.h)
  std::string_view data;  // points into the request body: valid while the handler runs
};

// A submitted form: application/x-www-form-urlencoded, or multipart/form-data (its text parts are
// fields, its file parts files; a file input left empty sends nothing).
struct Form {
  std::vector<std::pair<std::string, std::string>> fields;
  std::vector<FormFile> files;
  // The first value of `name`, or "".
  std::string Get(std::string_view name) const;
  bool Has(std::string_view name) const;
};

using PageHandler = std::function<Result<http::Response>(http::Request&, const Visitor&)>;
using FormHandler =
    std::function<Result<http::Response>(http::Request&, const Visitor&, const Form&)>;

// GET pages: resolves the visitor; a failure becomes an error page (401: a redirect to sign in).
http::Handler PageRoute(const WebContext& ctx, PageHandler handler);
// POST forms: signed-in visitor, same origin, CSRF token checked before `handler` runs.
http::Handler FormRoute(const WebContext& ctx, FormHandler handler);
// POST forms open to signed-out visitors (sign-in, sign-up): same origin checked, no session.
http::Handler PublicFormRoute(const WebContext& ctx, FormHandler handler);

// Query-string value of `name` percent-encoded for a URL.
std::string UrlEncode(std::string_view text);

}  // namespace spacehub::web
