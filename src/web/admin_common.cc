#include "web/admin_common.h"

#include <algorithm>

namespace spacehub::web {

Result<const auth::Principal*> RequireSiteAdmin(const Visitor& visitor) {
  const auth::Principal* p = visitor.user();
  if (!p || !p->user.is_admin || p->session_id == 0) return Status::NotFound("Not found");
  return p;
}

http::Handler AdminPageRoute(const WebContext& ctx, PageHandler handler) {
  return PageRoute(ctx,
                   [handler = std::move(handler)](http::Request& req,
                                                  const Visitor& v) -> Result<http::Response> {
                     SH_TRY(RequireSiteAdmin(v).status());
                     return handler(req, v);
                   });
}

http::Handler AdminFormRoute(const WebContext& ctx, FormHandler handler) {
  return FormRoute(ctx,
                   [handler = std::move(handler)](http::Request& req, const Visitor& v,
                                                  const Form& f) -> Result<http::Response> {
                     SH_TRY(RequireSiteAdmin(v).status());
                     return handler(req, v, f);
                   });
}

Result<http::Response> RenderAdminPage(const WebContext& ctx, const Visitor& visitor,
                                       std::string_view tab, std::string title, std::string view,
                                       nlohmann::json data) {
  if (!data.is_object()) data = nlohmann::json::object();
  data["admin_tab_" + std::string(tab)] = true;
  return RenderPage(ctx, visitor,
                    PageView{.title = std::move(title) + " · Admin",
                             .view = std::move(view),
                             .data = std::move(data),
                             .section = "admin"});
}

size_t AdminPageNumber(const http::Request& req) {
  size_t page = 1;
  try {
    page = std::stoul(req.Query("p").value_or("1"));
  } catch (...) {
    page = 1;
  }
  return std::clamp<size_t>(page, 1, 100000);
}

void AddPager(nlohmann::json& data, std::string_view path, size_t page, bool more) {
  data["page"] = page;
  if (page > 1) data["prev"] = std::string(path) + "?p=" + std::to_string(page - 1);
  if (more) data["next"] = std::string(path) + "?p=" + std::to_string(page + 1);
}

}  // namespace spacehub::web
