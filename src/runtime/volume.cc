#include "runtime/volume.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "runtime/process.h"

namespace spacehub::runtime {
namespace fs = std::filesystem;
namespace {

constexpr int64_t kMiB = int64_t{1024} * 1024;

std::string Decode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1]))) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 3), nullptr, 8));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::vector<MountEntry> ReadMounts() {
  std::ifstream in("/proc/self/mountinfo");
  std::ostringstream s;
  s << in.rdbuf();
  return ParseMountInfo(s.str());
}

std::optional<MountEntry> MountAt(const fs::path& p) {
  for (auto& m : ReadMounts()) {
    if (m.mount_point == p) return m;
  }
  return std::nullopt;
}

fs::path Canonical(const fs::path& p) {
  std::error_code ec;
  fs::path c = fs::weakly_canonical(fs::absolute(p, ec), ec);
  return ec ? fs::absolute(p) : c;
}

fs::path FindTool(const std::string& name) {
  for (const char* dir : {"/usr/sbin", "/sbin", "/usr/bin", "/bin"}) {
    fs::path p = fs::path(dir) / name;
    if (::access(p.c_str(), X_OK) == 0) return p;
  }
  return {};
}

// Runs a tool without a shell; its output goes to `log`. Exit codes up to `ok_up_to` are success.
Status Run(std::vector<std::string> argv, const fs::path& log, int ok_up_to = 0) {
  fs::path tool = FindTool(argv[0]);
  if (tool.empty()) return Status::Unavailable(argv[0] + " is not installed");
  argv[0] = tool.string();
  SpawnOptions so;
  so.argv = argv;
  so.env = {{"PATH", "/usr/sbin:/usr/bin:/sbin:/bin"}, {"LANG", "C"}};
  auto code = RunToLog(so, log, std::chrono::seconds(120));
  if (!code.ok()) return code.status();
  if (*code > ok_up_to) {
    std::string cmd;
    for (const auto& a : argv) cmd += (cmd.empty() ? "" : " ") + a;
    return Status::Unavailable(cmd + " failed (exit code " + std::to_string(*code) + ")");
  }
  return Status::Ok();
}

int64_t FileSize(const fs::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return -1;
  return st.st_size;
}

// Bytes the files below `dir` take on disk (du).
int64_t DiskUse(const fs::path& dir) {
  int64_t total = 0;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) == 0) total += static_cast<int64_t>(st.st_blocks) * 512;
  }
  return total;
}

void EmptyDir(const fs::path& dir) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) fs::remove_all(e.path(), ec);
}

std::string Mib(int64_t bytes) { return std::to_string(bytes / kMiB) + " MiB"; }

}  // namespace

std::vector<MountEntry> ParseMountInfo(const std::string& text) {
  // "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue"
  std::vector<MountEntry> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::vector<std::string> fields;
    std::string w;
    while (f >> w) fields.push_back(w);
    auto dash = std::find(fields.begin(), fields.end(), "-");
    if (fields.size() < 5 || dash == fields.end() || std::distance(dash, fields.end()) < 3) {
      continue;
    }
    MountEntry m;
    m.mount_point = Decode(fields[4]);
    m.fstype = *(dash + 1);
    m.source = Decode(*(dash + 2));
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<fs::path> MountsUnder(const std::vector<MountEntry>& mounts, const fs::path& dir) {
  std::string prefix = dir.string();
  while (prefix.size() > 1 && prefix.back() == '/') prefix.pop_back();
  std::vector<fs::path> out;
  for (const auto& m : mounts) {
    std::string p = m.mount_point.string();
    if (p == prefix || (p.size() > prefix.size() && p.compare(0, prefix.size(), prefix) == 0 &&
                        p[prefix.size()] == '/')) {
      out.push_back(m.mount_point);
    }
  }
  // Deepest first; a path mounted twice appears twice (each umount removes the top one).
  std::stable_sort(out.begin(), out.end(), [](const fs::path& a, const fs::path& b) {
    return a.string().size() > b.string().size();
  });
  return out;
}

Result<int64_t> ParseSize(const std::string& text) {
  if (text.empty()) return Status::InvalidArgument("empty size");
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (digits == 0 || digits > 15) return Status::InvalidArgument("invalid size '" + text + "'");
  int64_t n = std::stoll(text.substr(0, digits));
  std::string unit = text.substr(digits);
  if (!unit.empty() && unit.back() == 'B') unit.pop_back();
  if (!unit.empty() && unit.back() == 'i') unit.pop_back();
  static const std::map<std::string, int> kShifts = {{"", 0},   {"K", 10}, {"k", 10},
                                                     {"M", 20}, {"G", 30}, {"T", 40}};
  auto unit_it = kShifts.find(unit);
  if (unit_it == kShifts.end()) {
    return Status::InvalidArgument("invalid size unit in '" + text + "'");
  }
  int shift = unit_it->second;
  if (n > (int64_t{1} << (62 - shift))) return Status::InvalidArgument("size too large: " + text);
  return n << shift;
}

Volumes::Volumes(VolumeOptions options) : options_(std::move(options)) {
  options_.root = Canonical(options_.root);
  std::error_code ec;
  fs::create_directories(options_.root, ec);
  leftovers_ = UnmountUnder(options_.root);
  if (!options_.try_loop) {
    describe_ = "/data as plain directories with usage checks (loop mounts switched off)";
    return;
  }
  Status st = Probe();
  if (st.ok()) {
    mode_ = Mode::kLoop;
    describe_ = "/data as loop-mounted ext4 images, one per Space (tier size enforced)";
  } else {
    describe_ = "/data as plain directories with usage checks: loop mounts do not work here (" +
                st.message() + ")";
  }
}

Status Volumes::Probe() {
  if (::geteuid() != 0) return Status::Unavailable("the hub does not run as root");
  for (const char* t : {"mkfs.ext4", "resize2fs", "mount"}) {
    if (FindTool(t).empty()) return Status::Unavailable(std::string(t) + " is not installed");
  }
  VolumeSpec probe{options_.root / ".volume-probe.img", options_.root / ".volume-probe", 8 * kMiB};
  fs::path log = options_.root / ".volume-probe.log";
  std::error_code ec;
  fs::remove(log, ec);
  Status st = AttachLoop(probe, log);
  if (st.ok()) {
    // The root of the file system must be writable as the sandbox's uid (root outside).
    std::ofstream(probe.mount_point / "probe") << "ok";
    if (!fs::exists(probe.mount_point / "probe")) {
      st = Status::Unavailable("mounted image is read-only");
    }
    if (!MountAt(Canonical(probe.mount_point))) st = Status::Unavailable("mount not visible");
  }
  Destroy(probe);
  fs::remove(probe.mount_point, ec);
  if (!st.ok()) {
    std::ifstream in(log);
    std::string line, last;
    while (std::getline(in, line)) {
      if (!line.empty()) last = line;
    }
    if (!last.empty()) return Status::Unavailable(st.message() + ": " + last);
  }
  fs::remove(log, ec);
  return st;
}

Status Volumes::Attach(const VolumeSpec& spec, const fs::path& log) const {
  if (mode_ == Mode::kLoop) return AttachLoop(spec, log);
  fs::path mp = Canonical(spec.mount_point);
  std::error_code ec;
  fs::create_directories(mp, ec);
  if (spec.size_bytes > 0) {
    int64_t used = DiskUse(mp);
    if (used > spec.size_bytes) {
      return Status::Unavailable("its /data holds " + Mib(used) + ", more than its storage tier (" +
                                 Mib(spec.size_bytes) + "); delete files or raise the tier");
    }
  }
  return Status::Ok();
}

namespace {

// A new, formatted image of spec.size_bytes at spec.image. Made under another name and renamed
// once formatted: a crash in between leaves no image that would never mount.
Status MakeImage(const VolumeSpec& spec, const fs::path& log) {
  std::error_code ec;
  fs::create_directories(spec.image.parent_path(), ec);
  fs::path tmp = spec.image.string() + ".tmp";
  fs::remove(tmp, ec);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Status::Unavailable("cannot create " + tmp.string() + ": " + std::strerror(errno));
  }
  int rc = ::ftruncate(fd, spec.size_bytes);  // sparse: no block used yet
  ::close(fd);
  if (rc != 0) return Status::Unavailable("cannot size " + tmp.string());
  // Lazy inode tables and journal: mkfs writes only a few MiB, even for a 1 TiB tier. The root
  // belongs to the hub's uid, which the sandbox maps to uid 1000.
  std::string root_owner =
      "root_owner=" + std::to_string(::geteuid()) + ":" + std::to_string(::getegid());
  Status st = Run({"mkfs.ext4", "-q", "-F", "-m", "0", "-E",
                   "lazy_itable_init=1,lazy_journal_init=1," + root_owner, tmp.string()},
                  log);
  if (st.ok()) fs::rename(tmp, spec.image, ec);
  if (!st.ok() || ec) {
    fs::remove(tmp, ec);
    return st.ok() ? Status::Unavailable("cannot rename " + tmp.string()) : st;
  }
  return Status::Ok();
}

// noinit_itable: the kernel does not zero the lazy inode tables behind the Space's back.
Status MountImage(const VolumeSpec& spec, const fs::path& mp, const fs::path& log) {
  return Run({"mount", "-t", "ext4", "-o", "loop,noinit_itable,nosuid,nodev", spec.image.string(),
              mp.string()},
             log);
}

// The loop device was set up with the new size: the mounted file system grows into it. That
// takes CAP_SYS_RESOURCE; without it (some containers) the Space is not running anyway, so the
// image is checked and grown unmounted instead.
Status GrowMounted(const VolumeSpec& spec, const fs::path& mp, const fs::path& log) {
  auto m = MountAt(mp);
  Status st = m ? Run({"resize2fs", m->source}, log)
                : Status::Unavailable("the mount of " + mp.string() + " vanished");
  if (st.ok()) return st;
  Volumes::UnmountUnder(mp);
  AppendLine(log, "spacehub: growing the mounted /data failed; growing it unmounted");
  SH_TRY(Run({"e2fsck", "-f", "-p", spec.image.string()}, log, /*ok_up_to=*/1));
  SH_TRY(Run({"resize2fs", spec.image.string()}, log));
  return MountImage(spec, mp, log);
}

}  // namespace

Status Volumes::AttachLoop(const VolumeSpec& spec, const fs::path& log) {
  fs::path mp = Canonical(spec.mount_point);
  std::error_code ec;
  fs::create_directories(mp, ec);
  if (MountAt(mp)) UnmountUnder(mp);  // left mounted: mount afresh (and grow below if needed)
  int64_t have = FileSize(spec.image);
  bool fresh = have < 0;
  if (fresh) {
    // The directory held the ephemeral /data of a Space without a tier: it would only be hidden.
    EmptyDir(mp);
    SH_TRY(MakeImage(spec, log));
  }
  bool grow = !fresh && have < spec.size_bytes;
  if (grow && ::truncate(spec.image.c_str(), spec.size_bytes) != 0) {
    return Status::Unavailable("cannot grow " + spec.image.string() + ": " + std::strerror(errno));
  }
  SH_TRY(MountImage(spec, mp, log));
  if (grow) SH_TRY(GrowMounted(spec, mp, log));
  return Status::Ok();
}

void Volumes::Detach(const VolumeSpec& spec) const {
  if (mode_ != Mode::kLoop) return;
  UnmountUnder(Canonical(spec.mount_point));
}

void Volumes::Destroy(const VolumeSpec& spec) {
  std::error_code ec;
  UnmountUnder(Canonical(spec.mount_point));
  if (!spec.image.empty()) fs::remove(spec.image, ec);
  EmptyDir(spec.mount_point);
}

VolumeUsage Volumes::Usage(const VolumeSpec& spec) const {
  VolumeUsage u;
  fs::path mp = Canonical(spec.mount_point);
  struct statvfs s {};
  if (mode_ == Mode::kLoop && MountAt(mp) && ::statvfs(mp.c_str(), &s) == 0) {
    u.total_bytes = static_cast<int64_t>(s.f_blocks) * static_cast<int64_t>(s.f_frsize);
    u.used_bytes = static_cast<int64_t>(s.f_blocks - s.f_bfree) * static_cast<int64_t>(s.f_frsize);
    return u;
  }
  u.used_bytes = DiskUse(mp);
  u.total_bytes = spec.size_bytes;
  return u;
}

std::vector<fs::path> Volumes::MountedUnder(const fs::path& dir) {
  return MountsUnder(ReadMounts(), Canonical(dir));
}

int Volumes::UnmountUnder(const fs::path& dir) {
  int n = 0;
  for (const auto& p : MountsUnder(ReadMounts(), Canonical(dir))) {
    if (::umount2(p.c_str(), 0) == 0 || ::umount2(p.c_str(), MNT_DETACH) == 0) ++n;
  }
  return n;
}

}  // namespace spacehub::runtime
