#include "service/hub_instance.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "core/crypto.h"

namespace spacehub::service {
namespace {

// Reads a key file, creating it (0600, written completely before it is visible) on first use.
Result<std::string> LoadOrCreateKey(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (in) {
    std::stringstream ss;
    ss << in.rdbuf();
    std::string key = ss.str();
    if (key.size() != 64) return Status::Internal("Key file " + path.string() + " is corrupt");
    return key;
  }
  std::string key = RandomHex(32);
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Internal("Cannot create " + tmp.string());
  bool ok =
      ::write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    return Status::Internal("Cannot write " + path.string());
  }
  return key;
}

// The data directory holds private repos, the database and keys: nobody but the hub's user may
// read it (issue #12). Files are created 0600/0700 (serve sets umask 077); this fixes what an older
// version left 0644/0755. Only the first levels are changed: a closed directory hides all below.
// The Space runtime later lets Space uids pass through (o+x, never read) to their own directories.
void TightenPermissions(const std::filesystem::path& data_dir) {
  struct stat st {};
  if (::stat(data_dir.c_str(), &st) == 0) ::chmod(data_dir.c_str(), st.st_mode & 0711);
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(data_dir, ec)) {
    if (::lstat(e.path().c_str(), &st) != 0 || S_ISLNK(st.st_mode)) continue;
    // `spaces` keeps o+x so that Space uids reach their own app and /data directories.
    const mode_t keep = e.path().filename() == "spaces" ? 0711 : 0700;
    ::chmod(e.path().c_str(), st.st_mode & keep);
  }
  for (const auto& e : std::filesystem::directory_iterator(data_dir / "spaces", ec)) {
    if (::lstat(e.path().c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue;
    ::chmod(e.path().c_str(), st.st_mode & 0711);
    std::error_code inner;
    for (const auto& f : std::filesystem::directory_iterator(e.path(), inner)) {
      struct stat fst {};
      if (::lstat(f.path().c_str(), &fst) != 0 || S_ISLNK(fst.st_mode)) continue;
      const bool reachable = f.path().filename() == "builds" || f.path().filename() == "data";
      ::chmod(f.path().c_str(), fst.st_mode & (reachable ? 0711 : 0700));
    }
  }
}

}  // namespace

HubInstance::~HubInstance() = default;

Result<std::unique_ptr<HubInstance>> HubInstance::Open(const std::filesystem::path& data_dir,
                                                       HubOptions options, const Clock& clock) {
  std::error_code ec;
  for (const char* sub : {"repos", "lfs", "xet", "keys"}) {
    std::filesystem::create_directories(data_dir / sub, ec);
    if (ec) {
      return Status::Unavailable("Cannot create " + (data_dir / sub).string() + ": " +
                                 ec.message());
    }
  }
  std::filesystem::permissions(data_dir / "keys", std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, ec);
  TightenPermissions(data_dir);
  std::unique_ptr<HubInstance> h(new HubInstance());
  SH_ASSIGN_OR_RETURN(h->db_, db::OpenSqliteStore(data_dir / "hub.db", clock));
  if (options.lfs_signing_key.empty()) {
    SH_ASSIGN_OR_RETURN(options.lfs_signing_key,
                        LoadOrCreateKey(data_dir / "keys" / "lfs-url.key"));
  }
  h->repos_ = std::make_unique<repo::RepoStore>(data_dir / "repos");
  h->lfs_ = std::make_unique<repo::LfsStore>(data_dir / "lfs");
  h->xorbs_ = std::make_unique<repo::XorbStore>(data_dir / "xet");
  h->identity_ = std::make_unique<auth::Identity>(*h->db_, clock);
  h->throttle_ = std::make_unique<auth::LoginThrottle>(clock);
  h->sessions_ = std::make_unique<auth::Sessions>(*h->db_, *h->throttle_, clock);
  SH_ASSIGN_OR_RETURN(h->secrets_, SecretBox::OpenDir(data_dir / "keys" / "secrets"));
  SH_ASSIGN_OR_RETURN(h->hardware_, HardwareCatalog::Open(data_dir / "hardware.yaml"));
  h->scheduler_ = std::make_unique<HardwareScheduler>(*h->db_, options.detected_gpus, clock);
  h->hub_ = std::make_unique<Hub>(Hub{*h->db_, *h->repos_, *h->lfs_, *h->xorbs_, *h->identity_,
                                      *h->sessions_, *h->secrets_, *h->hardware_, *h->scheduler_,
                                      options, nullptr, clock});
  return h;
}

Result<std::optional<BootstrapCredentials>> HubInstance::BootstrapAdmin() {
  SH_ASSIGN_OR_RETURN(int64_t users, db_->CountAccounts(db::AccountKind::kUser));
  if (users > 0) return std::optional<BootstrapCredentials>();
  SH_ASSIGN_OR_RETURN(db::Account admin, identity_->CreateUser("admin", /*is_admin=*/true));
  SH_ASSIGN_OR_RETURN(auth::IssuedToken token,
                      identity_->CreateToken(admin.name, db::Role::kWrite, "bootstrap"));
  // 20 alphanumerics: ~119 bits, and no character a shell or a form would mangle.
  std::string password = RandomAlnum(20);
  SH_TRY(sessions_->SetPassword(admin.name, password));
  return std::optional<BootstrapCredentials>(
      BootstrapCredentials{std::move(token.text), std::move(password)});
}

}  // namespace spacehub::service
