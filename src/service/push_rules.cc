#include "service/push_rules.h"

#include <cstdio>
#include <sstream>

#include "repo/git_command.h"
#include "repo/types.h"

namespace spacehub::service {
namespace {

// git-lfs scans blobs under 1024 bytes for pointers; its smudge filter reads 1024 bytes.
constexpr size_t kMaxPointerBytes = 1024;

bool IsZeroId(std::string_view s) { return s.find_first_not_of('0') == std::string_view::npos; }

std::string Megabytes(uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(bytes) / 1e6);
  return buf;
}

Status ApplyEnv(repo::GitCommand& cmd, const PushContext& ctx) {
  cmd.SetGitDir(ctx.git_dir);
  for (const auto& [k, v] : ctx.quarantine_env) SH_TRY(cmd.SetEnv(k, v));
  return Status::Ok();
}

struct Blob {
  std::string id;
  uint64_t size = 0;
  std::string path;
};

std::string TooLargeMessage(const Blob& b) {
  return "\"" + b.path + "\" is " + Megabytes(b.size) +
         ": files over 10 MB must be stored with git-lfs. Track it with `git lfs track \"" +
         b.path + "\"`, amend the commit and push again (see https://git-lfs.com).";
}

// The objects this push brings (`git rev-list --objects` lines): reachable from the new tips,
// not from any existing ref.
Result<std::string> PushedObjects(const PushContext& ctx, const std::string& tips) {
  repo::GitCommand rev_list(repo::GitSubcommand::kRevList);
  SH_TRY(ApplyEnv(rev_list, ctx));
  for (const char* o : {"--objects", "--stdin", "--not", "--all"}) SH_TRY(rev_list.AddOption(o));
  SH_ASSIGN_OR_RETURN(repo::GitOutput objects, repo::RunGit(rev_list, tips));
  if (objects.exit_code != 0) return Status::Internal("git rev-list failed: " + objects.err);
  return std::move(objects.out);
}

// The blobs among `objects`, with their sizes and the paths they were pushed at.
Result<std::vector<Blob>> PushedBlobs(const PushContext& ctx, const std::string& objects) {
  repo::GitCommand check(repo::GitSubcommand::kCatFile);
  SH_TRY(ApplyEnv(check, ctx));
  SH_TRY(check.AddOption("--batch-check=%(objectname) %(objecttype) %(objectsize) %(rest)"));
  SH_ASSIGN_OR_RETURN(repo::GitOutput types, repo::RunGit(check, objects));
  if (types.exit_code != 0) return Status::Internal("git cat-file failed: " + types.err);
  std::vector<Blob> blobs;
  std::istringstream lines(types.out);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream ls(line);
    Blob b;
    std::string type;
    if (!(ls >> b.id >> type >> b.size) || type != "blob") continue;
    std::getline(ls >> std::ws, b.path);
    blobs.push_back(std::move(b));
  }
  return blobs;
}

// Small blobs may be LFS pointers: read them and check the objects they name, as git-lfs reads
// them (every version line it accepts, lenient layout): whatever a client would fetch an object
// for must name one this repo has.
Status CheckPointers(db::MetadataStore& db, const PushContext& ctx, const std::vector<Blob>& small,
                     std::vector<std::string>& errors) {
  std::string small_ids;
  for (const auto& b : small) small_ids += b.id + "\n";
  repo::GitCommand cat(repo::GitSubcommand::kCatFile);
  SH_TRY(ApplyEnv(cat, ctx));
  SH_TRY(cat.AddOption("--batch"));
  SH_ASSIGN_OR_RETURN(repo::GitOutput contents, repo::RunGit(cat, small_ids));
  if (contents.exit_code != 0) return Status::Internal("git cat-file failed: " + contents.err);
  std::string_view rest = contents.out;
  for (const auto& b : small) {
    size_t eol = rest.find('\n');
    if (eol == std::string_view::npos) break;
    rest.remove_prefix(eol + 1);
    if (rest.size() < b.size + 1) break;
    std::string_view body = rest.substr(0, b.size);
    rest.remove_prefix(b.size + 1);
    auto pointer = repo::DetectLfsPointer(body);
    if (!pointer) continue;
    SH_ASSIGN_OR_RETURN(bool present, db.HasLfsObject(ctx.repo_id, pointer->oid));
    if (!present) {
      errors.push_back("\"" + b.path + "\" points to LFS object " + pointer->oid +
                       ", which was not uploaded to this repository. Upload it first with "
                       "`git lfs push --all origin`.");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<std::string>> CheckPush(db::MetadataStore& db, const PushContext& ctx,
                                           const std::vector<RefUpdate>& updates) {
  std::vector<std::string> errors;
  std::string tips;
  for (const auto& u : updates) {
    if (std::string why = CheckPushedRefName(u.ref); !why.empty()) errors.push_back(why);
    if (!IsZeroId(u.new_id)) tips += u.new_id + "\n";
  }
  if (!errors.empty() || tips.empty()) return errors;

  SH_ASSIGN_OR_RETURN(std::string objects, PushedObjects(ctx, tips));
  if (objects.empty()) return errors;
  SH_ASSIGN_OR_RETURN(std::vector<Blob> blobs, PushedBlobs(ctx, objects));
  std::vector<Blob> small;
  for (auto& b : blobs) {
    if (b.size > ctx.max_plain_file_bytes) {
      errors.push_back(TooLargeMessage(b));
    } else if (b.size <= kMaxPointerBytes) {
      small.push_back(std::move(b));
    }
  }
  if (small.empty()) return errors;
  SH_TRY(CheckPointers(db, ctx, small, errors));
  return errors;
}

}  // namespace spacehub::service
