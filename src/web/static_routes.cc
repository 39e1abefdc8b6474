// GET /static/{file}: the embedded CSS and JavaScript (assets.h), cached by browsers and
// revalidated by ETag.
#include "web/assets.h"
#include "web/routes.h"

namespace spacehub::web {

void RegisterStaticRoutes(http::Router& router, const WebContext&) {
  router.Add(http::Method::kGet, "/static/{file}", [](http::Request& req) {
    const EmbeddedFile* f = FindEmbedded("static/" + std::string(req.Param("file")));
    if (!f) return http::Response::Error(Status::NotFound("No such file"));
    http::Response resp;
    resp.Header("ETag", f->etag);
    resp.Header("Cache-Control", "public, max-age=3600");
    resp.Header("X-Content-Type-Options", "nosniff");
    if (req.Header("if-none-match") == f->etag) {
      resp.status = 304;
      return resp;
    }
    resp.Header("Content-Type", std::string(f->content_type));
    resp.body = std::string(f->data);
    return resp;
  });
}

}  // namespace spacehub::web
