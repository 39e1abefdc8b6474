#include "runtime/host_ids.h"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace spacehub::runtime {
namespace fs = std::filesystem;
namespace {

constexpr const char* kRecord = "host-ids";
// The highest base whose block still fits below uid 2^32 - 1 (the kernel's "no uid" value).
constexpr uint64_t kLastBase = 0xFFFFFFFEull - kHostIdBlock;

}  // namespace

std::string HostIdAllocator::Format(uint32_t base) { return std::to_string(base) + "\n"; }

bool HostIdAllocator::Parse(const std::string& text, uint32_t* base) {
  size_t i = 0;
  uint64_t v = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9' && v <= kLastBase) {
    v = v * 10 + static_cast<uint64_t>(text[i++] - '0');
  }
  if (i == 0 || v == 0 || v > kLastBase || v % kHostIdBlock != 0) return false;
  if (i < text.size() && text.substr(i) != "\n") return false;
  *base = static_cast<uint32_t>(v);
  return true;
}

HostIdAllocator::HostIdAllocator(HostIdOptions options) : options_(std::move(options)) {
  // Bases are whole blocks (multiples of 65536) so that every record is easy to validate.
  options_.first_base -= options_.first_base % kHostIdBlock;
  if (options_.first_base == 0) options_.first_base = kHostIdBlock;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(options_.root, ec)) {
    std::ifstream in(e.path() / kRecord);
    std::stringstream ss;
    ss << in.rdbuf();
    uint32_t base;
    if (in && Parse(ss.str(), &base)) used_.insert(base);
  }
}

fs::path HostIdAllocator::RecordPath(const std::string& space_uid) const {
  return options_.root / space_uid / kRecord;
}

Result<HostIds> HostIdAllocator::ForSpace(const std::string& space_uid) {
  if (space_uid.empty() || space_uid.find('/') != std::string::npos || space_uid == "." ||
      space_uid == "..") {
    return Status::InvalidArgument("bad Space directory name '" + space_uid + "'");
  }
  MutexLock lock(mu_);
  const fs::path record = RecordPath(space_uid);
  {
    std::ifstream in(record);
    std::stringstream ss;
    ss << in.rdbuf();
    uint32_t base;
    if (in && Parse(ss.str(), &base)) {
      used_.insert(base);
      return HostIds{base};
    }
  }
  uint64_t base = options_.first_base;
  const uint64_t limit = std::min<uint64_t>(
      kLastBase, options_.first_base + uint64_t{options_.max_blocks} * kHostIdBlock);
  while (base <= limit && used_.count(static_cast<uint32_t>(base))) base += kHostIdBlock;
  if (base > limit) return Status::Unavailable("no free host uid block for another Space");
  std::error_code ec;
  fs::create_directories(record.parent_path(), ec);
  // Written completely before it is visible: a half-written record would hand the block out twice.
  fs::path tmp = record;
  tmp += ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return Status::Internal("Cannot record the Space's host ids in " + tmp.string());
  const std::string text = Format(static_cast<uint32_t>(base));
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), record.c_str()) != 0) {
    return Status::Internal("Cannot record the Space's host ids in " + record.string());
  }
  used_.insert(static_cast<uint32_t>(base));
  return HostIds{static_cast<uint32_t>(base)};
}

void HostIdAllocator::Release(const std::string& space_uid) {
  MutexLock lock(mu_);
  std::ifstream in(RecordPath(space_uid));
  std::stringstream ss;
  ss << in.rdbuf();
  uint32_t base;
  if (in && Parse(ss.str(), &base)) used_.erase(base);
}

}  // namespace spacehub::runtime
