#include "client/xet_chunks.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "spacehub/errors.h"
#include "xet/chunker.h"
#include "xet/xet_hash.h"

namespace spacehub::client::detail {

namespace {

constexpr size_t kReadBlock = 8 << 20;

// Feeds blocks to the chunker and hashes each chunk as it completes; a chunk that spans blocks is
// gathered in `carry_` first (at most 128 KiB).
class ChunkStream final {
 public:
  ChunkStream() = default;
  explicit ChunkStream(std::function<void(const FileChunk&)> on_chunk)
      : on_chunk_(std::move(on_chunk)) {}

  void Update(std::string_view block) {
    cuts_.clear();
    chunker_.Update(block, cuts_);
    size_t pos = 0;
    for (size_t len : cuts_) {
      size_t take = len - carry_.size();
      if (carry_.empty()) {
        Emit(block.substr(pos, take));
      } else {
        carry_.append(block.substr(pos, take));
        Emit(carry_);
        carry_.clear();
      }
      pos += take;
    }
    carry_.append(block.substr(pos));
  }

  std::vector<FileChunk> Finish() {
    if (chunker_.Finish() > 0) Emit(carry_);
    carry_.clear();
    return std::move(chunks_);
  }

 private:
  void Emit(std::string_view data) {
    FileChunk c{xet::ChunkHash(data), offset_, static_cast<uint32_t>(data.size())};
    offset_ += data.size();
    if (on_chunk_) {
      on_chunk_(c);
    } else {
      chunks_.push_back(c);
    }
  }

  xet::Chunker chunker_;
  std::vector<size_t> cuts_;
  std::string carry_;
  uint64_t offset_ = 0;
  std::vector<FileChunk> chunks_;
  std::function<void(const FileChunk&)> on_chunk_;  // instead of chunks_ when set
};

}  // namespace

std::vector<FileChunk> ChunkFile(const std::string& path) {
  std::vector<FileChunk> chunks;
  ChunkFileInto(path, [&chunks](const FileChunk& c) { chunks.push_back(c); });
  return chunks;
}

void ChunkFileInto(const std::string& path, const std::function<void(const FileChunk&)>& on_chunk) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw LocalError(ErrorKind::kLocalIo, "cannot read " + path + ": " + std::strerror(errno));
  }
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  ChunkStream stream(on_chunk);
  std::string buf(kReadBlock, '\0');
  while (true) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      throw LocalError(ErrorKind::kLocalIo, "cannot read " + path + ": " + std::strerror(err));
    }
    if (n == 0) break;
    stream.Update(std::string_view(buf.data(), static_cast<size_t>(n)));
  }
  ::close(fd);
  stream.Finish();
}

std::vector<FileChunk> ChunkBytes(std::string_view data) {
  ChunkStream stream;
  stream.Update(data);
  return stream.Finish();
}

}  // namespace spacehub::client::detail
