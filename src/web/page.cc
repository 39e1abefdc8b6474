#include "web/page.h"

#include <spdlog/spdlog.h>

#include "http/multipart.h"
#include "web/view.h"

namespace spacehub::web {
namespace {

std::string ContentSecurityPolicy(const WebContext& ctx) {
  std::string frames = "'self'";
  if (!ctx.options().space_frame_src.empty()) frames += " " + ctx.options().space_frame_src;
  return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
         "connect-src 'self'; frame-src " +
         frames +
         "; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'";
}

nlohmann::json LayoutData(const Visitor& visitor, const PageView& page, std::string content) {
  nlohmann::json d = {{"title", page.title},
                      {"content", std::move(content)},
                      {"csrf", visitor.csrf},
                      {"signed_in", visitor.caller.has_value()},
                      {"highlight", page.highlight}};
  if (const auth::Principal* p = visitor.user()) {
    d["user"] = {{"name", p->user.name}, {"is_admin", p->user.is_admin}};
  }
  if (!page.section.empty()) d["section_" + page.section] = true;
  return d;
}

// The origin of a URL ("https://hub.example:8443/x" -> "https://hub.example:8443").
std::string_view OriginOf(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return url;
  size_t path = url.find('/', scheme + 3);
  return path == std::string_view::npos ? url : url.substr(0, path);
}

// A form must come from the hub's own pages: when the browser says where it comes from (Origin),
// that must be the hub. Browsers send Origin on every cross-origin POST, so a page elsewhere cannot
// post here even before the CSRF token is looked at.
Status CheckSameOrigin(const WebContext& ctx, const http::Request& req) {
  std::string_view origin = req.Header("origin");
  if (origin.empty() || origin == OriginOf(ctx.options().public_url)) return Status::Ok();
  return Status::PermissionDenied("This form was sent from another site");
}

Result<Form> ParseMultipartForm(std::string_view type, const http::Request& req) {
  SH_ASSIGN_OR_RETURN(std::vector<http::FormPart> parts,
                      http::ParseMultipart(type, req.body, http::MultipartLimits{}));
  Form form;
  for (auto& part : parts) {
    if (!part.filename) {
      form.fields.emplace_back(std::move(part.name), std::string(part.data));
    } else if (!part.filename->empty() || !part.data.empty()) {
      form.files.push_back({std::move(part.name), std::move(*part.filename), part.data});
    }
  }
  return form;
}

Result<Form> ParseForm(const http::Request& req) {
  std::string_view type = req.Header("content-type");
  if (type.rfind("multipart/form-data", 0) == 0) return ParseMultipartForm(type, req);
  if (!type.empty() && type.rfind("application/x-www-form-urlencoded", 0) != 0) {
    return Status::InvalidArgument("Expected a form (application/x-www-form-urlencoded)");
  }
  auto fields = http::ParseFormEncoded(req.body);
  if (!fields) return Status::InvalidArgument("Malformed form data");
  return Form{std::move(*fields), {}};
}

// The error as a page, with the status and error headers the JSON API would give.
http::Response ErrorPage(const WebContext& ctx, const Visitor& visitor, const http::Request& req,
                         const Status& status) {
  if (status.code() == Code::kInternal) {
    spdlog::error("internal error rid={} path={} error={}", req.request_id, req.path,
                  status.message());
  }
  http::Response resp = http::Response::Error(status);
  PageView page;
  page.title = resp.status == 404 ? "Not found" : "Error";
  page.view = "error";
  page.status = resp.status;
  page.data = {{"status", resp.status},
               {"message", status.code() == Code::kInternal ? "Something went wrong on the hub"
                                                            : status.message()},
               {"request_id", req.request_id}};
  Result<http::Response> html = RenderPage(ctx, visitor, std::move(page));
  if (!html.ok()) return resp;  // the JSON error is still a clear answer
  for (auto& [k, v] : resp.headers) {
    if (k != "Content-Type") html->Header(k, v);
  }
  return std::move(*html);
}

http::Response Finish(const WebContext& ctx, const Visitor& visitor, http::Request& req,
                      Result<http::Response> result) {
  if (result.ok()) return std::move(*result);
  if (result.status().code() == Code::kUnauthenticated && !visitor.caller &&
      req.method == http::Method::kGet) {
    return Redirect("/login?next=" + UrlEncode(req.target));
  }
  return ErrorPage(ctx, visitor, req, result.status());
}

}  // namespace

void AddPageHeaders(const WebContext& ctx, http::Response& resp) {
  resp.Header("Content-Security-Policy", ContentSecurityPolicy(ctx));
  resp.Header("X-Frame-Options", "DENY");
  resp.Header("X-Content-Type-Options", "nosniff");
  resp.Header("Referrer-Policy", "same-origin");
  resp.Header("Cache-Control", "no-store");
}

Result<http::Response> RenderPage(const WebContext& ctx, const Visitor& visitor, PageView page) {
  if (!page.data.is_object()) page.data = nlohmann::json::object();
  page.data["csrf"] = visitor.csrf;
  page.data["signed_in"] = visitor.caller.has_value();
  if (const auth::Principal* p = visitor.user()) page.data["me"] = p->user.name;
  SH_ASSIGN_OR_RETURN(std::string content, RenderView(page.view, page.data));
  SH_ASSIGN_OR_RETURN(std::string html,
                      RenderView("layout", LayoutData(visitor, page, std::move(content))));
  http::Response resp =
      http::Response::Text(std::move(html), page.status, "text/html; charset=utf-8");
  AddPageHeaders(ctx, resp);
  return resp;
}

http::Response Redirect(std::string_view location) {
  http::Response resp = http::Response::Text("", 303);
  resp.Header("Location", std::string(location));
  resp.Header("Cache-Control", "no-store");
  return resp;
}

std::string Form::Get(std::string_view name) const {
  for (const auto& [k, v] : fields) {
    if (k == name) return v;
  }
  return "";
}

bool Form::Has(std::string_view name) const {
  for (const auto& [k, v] : fields) {
    if (k == name) return true;
  }
  return false;
}

http::Handler PageRoute(const WebContext& ctx, PageHandler handler) {
  return [&ctx, handler = std::move(handler)](http::Request& req) -> http::Response {
    Result<Visitor> visitor = ctx.VisitorOf(req);
    if (!visitor.ok()) return ErrorPage(ctx, Visitor{}, req, visitor.status());
    return Finish(ctx, *visitor, req, handler(req, *visitor));
  };
}

http::Handler FormRoute(const WebContext& ctx, FormHandler handler) {
  return [&ctx, handler = std::move(handler)](http::Request& req) -> http::Response {
    Result<Visitor> visitor = ctx.VisitorOf(req);
    if (!visitor.ok()) return ErrorPage(ctx, Visitor{}, req, visitor.status());
    auto run = [&]() -> Result<http::Response> {
      SH_TRY(CheckSameOrigin(ctx, req));
      if (!visitor->caller) return Status::Unauthenticated("Sign in first");
      SH_ASSIGN_OR_RETURN(Form form, ParseForm(req));
      if (!auth::Sessions::CsrfMatches(form.Get("_csrf"), visitor->csrf)) {
        return Status::PermissionDenied("Missing or invalid CSRF token: reload the page and retry");
      }
      return handler(req, *visitor, form);
    };
    return Finish(ctx, *visitor, req, run());
  };
}

http::Handler PublicFormRoute(const WebContext& ctx, FormHandler handler) {
  return [&ctx, handler = std::move(handler)](http::Request& req) -> http::Response {
    Visitor visitor;  // the form itself signs in: a stale cookie must not get in the way
    auto run = [&]() -> Result<http::Response> {
      SH_TRY(CheckSameOrigin(ctx, req));
      SH_ASSIGN_OR_RETURN(Form form, ParseForm(req));
      return handler(req, visitor, form);
    };
    return Finish(ctx, visitor, req, run());
  };
}

std::string UrlEncode(std::string_view text) { return http::PercentEncode(text, false); }

}  // namespace spacehub::web
