// Changing a repo's files from the browser, each change one commit through the same services as
// the API (service::CommitUploads over CommitService: paths, write access and LFS rules as there):
//   GET/POST /{prefix}{ns}/{name}/upload/{rev}          files (multipart), an optional folder,
//                                                       a commit message
//   GET/POST /{prefix}{ns}/{name}/edit/{rev}/{path*}    a small text file in a textarea; the commit
//                                                       names the commit the text was read at, so a
//                                                       change made meanwhile is a 409 that keeps
//                                                       the visitor's text on the page
#include "service/browser_upload.h"
#include "web/file_kinds.h"
#include "web/file_paths.h"
#include "web/format.h"
#include "web/page.h"
#include "web/repo_file.h"
#include "web/repo_view.h"

namespace spacehub::web {
namespace {

Result<http::Response> UploadForm(const WebContext& ctx, const http::Request& req,
                                  const Visitor& visitor, RepoType type) {
  SH_ASSIGN_OR_RETURN(RepoId id, RouteRepoId(req, type));
  SH_ASSIGN_OR_RETURN(RepoHeader h, LoadRepoHeader(ctx, visitor, id, "files"));
  if (!visitor.caller) return Status::Unauthenticated("Sign in to upload files");
  const std::string rev(req.Param("rev"));
  nlohmann::json data = std::move(h.data);
  data["rev"] = rev;
  data["action"] = RevPath(RepoPath(id), "upload", rev);
  data["folder"] = req.Query("folder").value_or("");
  data["files_url"] = RevPath(RepoPath(id), "tree", rev);
  return RenderPage(ctx, visitor,
                    PageView{.title = "Upload · " + id.Full(),
                             .view = "repo_upload",
                             .data = std::move(data),
                             .section = std::string(RepoTypePlural(type))});
}

Result<http::Response> Upload(const WebContext& ctx, const http::Request& req,
                              const Visitor& visitor, const Form& form, RepoType type) {
  SH_ASSIGN_OR_RETURN(RepoId id, RouteRepoId(req, type));
  const std::string rev(req.Param("rev"));
  SH_ASSIGN_OR_RETURN(std::string folder, CleanFolder(form.Get("folder")));
  service::UploadInput in;
  in.revision = rev;
  for (const FormFile& f : form.files) {
    if (f.name != "files") continue;
    SH_ASSIGN_OR_RETURN(std::string path, UploadPath(folder, f.filename));
    in.files.push_back({std::move(path), f.data});
  }
  in.summary = form.Get("summary");
  if (in.summary.empty()) {
    in.summary = in.files.size() == 1 ? "Upload " + in.files.front().path
                                      : "Upload " + std::to_string(in.files.size()) + " files";
  }
  in.description = form.Get("description");
  SH_TRY(
      service::CommitUploads(ctx.hub(), ctx.services().commits, visitor.caller, id, in).status());
  return Redirect(RevPath(RepoPath(id), "tree", rev, folder));
}

// The edit form, with `text` in the textarea and `parent` as the commit it is based on.
Result<http::Response> EditView(const WebContext& ctx, const Visitor& visitor, RepoHeader h,
                                const RepoId& id, const std::string& rev, const std::string& path,
                                const std::string& text, const std::string& parent, bool crlf,
                                std::optional<std::string> conflict, const Form* submitted) {
  const std::string base = RepoPath(id);
  nlohmann::json data = std::move(h.data);
  data["rev"] = rev;
  data["path"] = path;
  data["action"] = RevPath(base, "edit", rev, path);
  data["blob_url"] = RevPath(base, "blob", rev, path);
  data["content"] = text;
  data["parent_commit"] = parent;
  data["eol"] = crlf ? "crlf" : "lf";
  data["summary"] = submitted ? submitted->Get("summary") : "Update " + path;
  data["description"] = submitted ? submitted->Get("description") : "";
  if (conflict) data["conflict"] = *conflict;
  return RenderPage(ctx, visitor,
                    PageView{.title = "Edit " + path + " · " + id.Full(),
                             .view = "repo_edit",
                             .data = std::move(data),
                             .status = conflict ? 409 : 200,
                             .section = std::string(RepoTypePlural(id.type))});
}

// A text file small enough to edit, read at `rev`.
Result<PageFile> EditableFile(const WebContext& ctx, const Visitor& visitor, const RepoId& id,
                              const std::string& rev, const std::string& path) {
  SH_ASSIGN_OR_RETURN(PageFile file, ReadPageFile(ctx, visitor, id, rev, path, kMaxEditBytes));
  if (file.entry.is_dir) return Status::EntryNotFound(path);
  if (!file.text || file.entry.size >= kMaxEditBytes) {
    return Status::InvalidArgument("Only text files under " + HumanSize(kMaxEditBytes) +
                                   " can be edited in the browser");
  }
  return file;
}

Result<http::Response> EditForm(const WebContext& ctx, const http::Request& req,
                                const Visitor& visitor, RepoType type) {
  SH_ASSIGN_OR_RETURN(RepoId id, RouteRepoId(req, type));
  SH_ASSIGN_OR_RETURN(RepoHeader h, LoadRepoHeader(ctx, visitor, id, "files"));
  if (!visitor.caller) return Status::Unauthenticated("Sign in to edit files");
  const std::string rev(req.Param("rev"));
  const std::string path(req.Param("path"));
  SH_ASSIGN_OR_RETURN(PageFile file, EditableFile(ctx, visitor, id, rev, path));
  const bool crlf = file.text->find("\r\n") != std::string::npos;
  return EditView(ctx, visitor, std::move(h), id, rev, path, *file.text, file.commit, crlf,
                  std::nullopt, nullptr);
}

// Browsers send a textarea's line ends as CRLF; a file written with LF keeps LF.
std::string FromTextarea(std::string text, bool crlf) {
  if (crlf) return text;
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    out.push_back(text[i]);
  }
  return out;
}

Result<http::Response> Edit(const WebContext& ctx, const http::Request& req, const Visitor& visitor,
                            const Form& form, RepoType type) {
  SH_ASSIGN_OR_RETURN(RepoId id, RouteRepoId(req, type));
  const std::string rev(req.Param("rev"));
  const std::string path(req.Param("path"));
  const bool crlf = form.Get("eol") == "crlf";
  const std::string text = FromTextarea(form.Get("content"), crlf);
  service::UploadInput in;
  in.revision = rev;
  in.summary = form.Get("summary").empty() ? "Update " + path : form.Get("summary");
  in.description = form.Get("description");
  const std::string parent = form.Get("parent_commit");
  if (!parent.empty()) in.parent_commit = parent;
  in.files.push_back({path, text});
  auto done = service::CommitUploads(ctx.hub(), ctx.services().commits, visitor.caller, id, in);
  if (done.ok()) return Redirect(RevPath(RepoPath(id), "blob", rev, path));
  if (done.status().code() != Code::kConflict) return done.status();
  // Someone committed meanwhile: the form again, with the visitor's text, based on the new head
  // (saving again replaces their change, knowingly).
  SH_ASSIGN_OR_RETURN(RepoHeader h, LoadRepoHeader(ctx, visitor, id, "files"));
  auto current = EditableFile(ctx, visitor, id, rev, path);
  std::string head = current.ok() ? current->commit : parent;
  return EditView(ctx, visitor, std::move(h), id, rev, path, text, head, crlf,
                  "This file was changed on " + rev +
                      " since you opened it, so your edit was not saved. Your text is below: " +
                      "compare it with the current version, then save again to replace it.",
                  &form);
}

}  // namespace

void RegisterRepoUploadPages(http::Router& router, const WebContext& ctx, RepoType type) {
  const std::string base = "/" + std::string(RepoTypeUrlPrefix(type)) + "{ns}/{name}";
  router.Add(http::Method::kGet, base + "/upload/{rev}",
             PageRoute(ctx, [&ctx, type](http::Request& req, const Visitor& v) {
               return UploadForm(ctx, req, v, type);
             }));
  router.Add(http::Method::kPost, base + "/upload/{rev}",
             FormRoute(ctx, [&ctx, type](http::Request& req, const Visitor& v,
                                         const Form& f) { return Upload(ctx, req, v, f, type); }),
             http::BodyRules::Large());
  router.Add(http::Method::kGet, base + "/edit/{rev}/{path*}",
             PageRoute(ctx, [&ctx, type](http::Request& req, const Visitor& v) {
               return EditForm(ctx, req, v, type);
             }));
  router.Add(http::Method::kPost, base + "/edit/{rev}/{path*}",
             FormRoute(ctx, [&ctx, type](http::Request& req, const Visitor& v,
                                         const Form& f) { return Edit(ctx, req, v, f, type); }),
             http::BodyRules::Large());
}

}  // namespace spacehub::web
