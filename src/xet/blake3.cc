#include "xet/blake3.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstring>

#include "xet/blake3_impl.h"

namespace spacehub::xet {

namespace b3 = blake3_internal;
using b3::Cv;

namespace blake3_internal {
namespace {

inline uint32_t LoadLe32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}

inline void G(std::array<uint32_t, 16>& v, int a, int b, int c, int d, uint32_t x, uint32_t y) {
  v[a] = v[a] + v[b] + x;
  v[d] = std::rotr(v[d] ^ v[a], 16);
  v[c] = v[c] + v[d];
  v[b] = std::rotr(v[b] ^ v[c], 12);
  v[a] = v[a] + v[b] + y;
  v[d] = std::rotr(v[d] ^ v[a], 8);
  v[c] = v[c] + v[d];
  v[b] = std::rotr(v[b] ^ v[c], 7);
}

}  // namespace

std::array<uint32_t, 16> Compress(const Cv& cv, const uint8_t* block, uint8_t block_len,
                                  uint64_t counter, uint8_t flags) {
  std::array<uint32_t, 16> m{};
  for (size_t i = 0; i < 16; ++i) m[i] = LoadLe32(block + 4 * i);
  std::array<uint32_t, 16> v = {cv[0],
                                cv[1],
                                cv[2],
                                cv[3],
                                cv[4],
                                cv[5],
                                cv[6],
                                cv[7],
                                kIv[0],
                                kIv[1],
                                kIv[2],
                                kIv[3],
                                static_cast<uint32_t>(counter),
                                static_cast<uint32_t>(counter >> 32),
                                block_len,
                                flags};
  for (const auto& s : kSchedule) {
    G(v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
    G(v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
    G(v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
    G(v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
    G(v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
    G(v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
    G(v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
    G(v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
  }
  for (size_t i = 0; i < 8; ++i) {
    v[i] ^= v[i + 8];
    v[i + 8] ^= cv[i];
  }
  return v;
}

void HashManyPortable(const Many8& job, size_t n, const Cv& key, Cv* out) {
  for (size_t i = 0; i < n; ++i) {
    const Many8 one = job.Skip(i);
    Cv cv = key;
    for (size_t b = 0; b < one.blocks; ++b) {
      uint8_t block_flags = one.flags;
      if (b == 0) block_flags |= one.flags_start;
      if (b + 1 == one.blocks) block_flags |= one.flags_end;
      auto words = Compress(cv, one.input + b * kBlockLen, kBlockLen, one.counter, block_flags);
      std::copy_n(words.begin(), 8, cv.begin());
    }
    out[i] = cv;
  }
}

}  // namespace blake3_internal

namespace {

Cv FirstEight(const std::array<uint32_t, 16>& words) {
  Cv cv;
  std::copy_n(words.begin(), 8, cv.begin());
  return cv;
}

bool Supported(Blake3Backend backend) {
#if defined(__x86_64__) || defined(__i386__)
  switch (backend) {
    case Blake3Backend::kAvx512:
      return Supported(Blake3Backend::kAvx2) && __builtin_cpu_supports("avx512f") &&
             __builtin_cpu_supports("avx512vl");
    case Blake3Backend::kAvx2:
      // The AVX2 path hands a leftover of four chunks to the SSE4.1 one.
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("sse4.1");
    case Blake3Backend::kSse41:
      return __builtin_cpu_supports("sse4.1");
    case Blake3Backend::kPortable:
      return true;
  }
  return false;
#else
  return backend == Blake3Backend::kPortable;
#endif
}

Blake3Backend BestBackend() {
#if defined(__x86_64__) || defined(__i386__)
  if (Supported(Blake3Backend::kAvx512)) return Blake3Backend::kAvx512;
  if (__builtin_cpu_supports("avx2")) return Blake3Backend::kAvx2;
  if (__builtin_cpu_supports("sse4.1")) return Blake3Backend::kSse41;
#endif
  return Blake3Backend::kPortable;
}

std::atomic<Blake3Backend>& BackendSlot() {
  static std::atomic<Blake3Backend> slot{BestBackend()};
  return slot;
}

// The CVs of `n` inputs of `job`, as wide as the backend allows. With eight lanes, a leftover of
// two or more inputs goes through them too, copied next to zeroed lanes whose CVs are dropped:
// the scalar loop costs about as much per input as the eight-lane kernel per eight.
void HashMany(const b3::Many8& job, size_t n, const Cv& key, Cv* out) {
  const Blake3Backend backend = BackendSlot().load(std::memory_order_relaxed);
  size_t done = 0;
  if (backend == Blake3Backend::kAvx512 || backend == Blake3Backend::kAvx2) {
    auto* kernel = backend == Blake3Backend::kAvx512 ? b3::HashMany8Avx512 : b3::HashMany8Avx2;
    for (; n - done >= 8; done += 8) kernel(job.Skip(done), key, out + done);
    const size_t left = n - done;
    if (left >= 2) {
      std::array<uint8_t, 8 * b3::kChunkLen> padded{};
      std::memcpy(padded.data(), job.Skip(done).input, left * job.stride);
      b3::Many8 tail = job.Skip(done);
      tail.input = padded.data();
      std::array<Cv, 8> cvs;
      kernel(tail, key, cvs.data());
      std::copy_n(cvs.begin(), left, out + done);
      done = n;
    }
  }
  if (backend != Blake3Backend::kPortable) {
    for (; n - done >= 4; done += 4) b3::HashMany4Sse41(job.Skip(done), key, out + done);
  }
  b3::HashManyPortable(job.Skip(done), n - done, key, out + done);
}

void HashChunks(const uint8_t* input, size_t n, const Cv& key, uint64_t counter, uint8_t flags,
                Cv* out) {
  HashMany(b3::Many8::ChunksAt(input, counter, flags), n, key, out);
}

// What the last compression of a (sub)tree needs; the root compresses it with kRoot.
struct Output {
  Cv cv;
  std::array<uint8_t, 64> block;
  uint8_t block_len;
  uint64_t counter;
  uint8_t flags;

  Cv ChainingValue() const {
    return FirstEight(b3::Compress(cv, block.data(), block_len, counter, flags));
  }
};

Output ParentOutput(const Cv& left, const Cv& right, const Cv& key, uint8_t flags) {
  Output out{
      key, {}, static_cast<uint8_t>(b3::kBlockLen), 0, static_cast<uint8_t>(flags | b3::kParent)};
  for (size_t i = 0; i < 8; ++i) {
    for (size_t j = 0; j < 4; ++j) {
      out.block[4 * i + j] = static_cast<uint8_t>(left[i] >> (8 * j));
      out.block[32 + 4 * i + j] = static_cast<uint8_t>(right[i] >> (8 * j));
    }
  }
  return out;
}

// The root's output: `out_len` bytes of it into `out`.
void RootBytes(const Output& output, uint8_t* out, size_t out_len) {
  uint64_t block_counter = 0;
  while (out_len > 0) {
    const auto words =
        b3::Compress(output.cv, output.block.data(), output.block_len, block_counter++,
                     static_cast<uint8_t>(output.flags | b3::kRoot));
    const size_t take = std::min<size_t>(out_len, 64);
    for (size_t i = 0; i < take; ++i) out[i] = static_cast<uint8_t>(words[i / 4] >> (8 * (i % 4)));
    out += take;
    out_len -= take;
  }
}

Cv KeyWords(const Blake3Key& key) {
  Cv words;
  for (size_t i = 0; i < 8; ++i) {
    words[i] = static_cast<uint32_t>(key[4 * i]) | (static_cast<uint32_t>(key[4 * i + 1]) << 8) |
               (static_cast<uint32_t>(key[4 * i + 2]) << 16) |
               (static_cast<uint32_t>(key[4 * i + 3]) << 24);
  }
  return words;
}

// The CV of a chunk's `len` (1..1024) bytes that is not the root.
Cv ChunkCv(const uint8_t* p, size_t len, const Cv& key, uint64_t counter, uint8_t flags) {
  Cv cv = key;
  for (size_t off = 0; off < len; off += b3::kBlockLen) {
    std::array<uint8_t, b3::kBlockLen> block{};  // a short last block is hashed zero-padded
    const size_t n = std::min(b3::kBlockLen, len - off);
    std::memcpy(block.data(), p + off, n);
    uint8_t block_flags = flags;
    if (off == 0) block_flags |= b3::kChunkStart;
    if (off + n == len) block_flags |= b3::kChunkEnd;
    cv = FirstEight(b3::Compress(cv, block.data(), static_cast<uint8_t>(n), counter, block_flags));
  }
  return cv;
}

// One-shot inputs up to this size (a Xet chunk is at most 128 KiB) are hashed by HashTree.
constexpr size_t kTreeMax = 256 * b3::kChunkLen;

// The hash of `data` (more than one chunk, at most kTreeMax) with every level of the tree hashed
// side by side: the whole chunks, then the parents of each level, pairing neighbours and carrying
// an odd last CV up (the left-balanced tree BLAKE3 defines comes out of that pairing). The
// incremental hasher merges parents one by one, in the scalar code: a third of a Xet chunk
// hash's time went there.
Blake3Digest HashTree(const Cv& key, uint8_t flags, std::string_view data) {
  const auto* p = reinterpret_cast<const uint8_t*>(data.data());
  const size_t whole = data.size() / b3::kChunkLen;
  const size_t tail = data.size() % b3::kChunkLen;
  std::array<Cv, kTreeMax / b3::kChunkLen> cvs;
  HashChunks(p, whole, key, 0, flags, cvs.data());
  size_t n = whole;
  if (tail > 0) cvs[n++] = ChunkCv(p + whole * b3::kChunkLen, tail, key, whole, flags);
  std::array<uint8_t, kTreeMax / b3::kChunkLen / 2 * b3::kBlockLen> blocks;
  while (n > 2) {
    const size_t pairs = n / 2;
    for (size_t i = 0; i < 2 * pairs; ++i) {
      for (size_t w = 0; w < 8; ++w) {
        for (size_t j = 0; j < 4; ++j) {
          blocks[32 * i + 4 * w + j] = static_cast<uint8_t>(cvs[i][w] >> (8 * j));
        }
      }
    }
    const Cv odd = cvs[n - 1];
    HashMany(b3::Many8::ParentsAt(blocks.data(), flags), pairs, key, cvs.data());
    if (n % 2 == 1) cvs[pairs] = odd;
    n = pairs + n % 2;
  }
  Blake3Digest digest;
  RootBytes(ParentOutput(cvs[0], cvs[1], key, flags), digest.data(), digest.size());
  return digest;
}

}  // namespace

Blake3Backend Blake3ActiveBackend() { return BackendSlot().load(std::memory_order_relaxed); }

bool Blake3SetBackend(Blake3Backend backend) {
  if (!Supported(backend)) return false;
  BackendSlot().store(backend, std::memory_order_relaxed);
  return true;
}

Blake3Hasher::Blake3Hasher() : key_(b3::kIv) { StartChunk(0); }

Blake3Hasher::Blake3Hasher(const Blake3Key& key) : key_(KeyWords(key)), flags_(b3::kKeyedHash) {
  StartChunk(0);
}

void Blake3Hasher::StartChunk(uint64_t counter) {
  chunk_ = ChunkState{};
  chunk_.cv = key_;
  chunk_.counter = counter;
}

// Lazy merging: a subtree is merged only once later input proves it complete, so Finalize can
// still give the top of the tree its root flag.
void Blake3Hasher::MergeCvStack(uint64_t chunks_before) {
  const auto keep = static_cast<size_t>(std::popcount(chunks_before));
  while (cv_stack_len_ > keep) {
    cv_stack_[cv_stack_len_ - 2] =
        ParentOutput(cv_stack_[cv_stack_len_ - 2], cv_stack_[cv_stack_len_ - 1], key_, flags_)
            .ChainingValue();
    --cv_stack_len_;
  }
}

void Blake3Hasher::PushCv(const Cv& cv, uint64_t chunk_counter) {
  MergeCvStack(chunk_counter);
  cv_stack_[cv_stack_len_++] = cv;
}

void Blake3Hasher::Update(std::string_view data) {
  const auto* p = reinterpret_cast<const uint8_t*>(data.data());
  size_t n = data.size();
  while (n > 0) {
    const size_t chunk_len = chunk_.blocks_compressed * b3::kBlockLen + chunk_.block_len;
    if (chunk_len == b3::kChunkLen) {
      // A full chunk with more input after it cannot be the root.
      const Cv cv = FirstEight(b3::Compress(chunk_.cv, chunk_.block.data(), chunk_.block_len,
                                            chunk_.counter, flags_ | b3::kChunkEnd));
      PushCv(cv, chunk_.counter);
      StartChunk(chunk_.counter + 1);
      continue;
    }
    if (chunk_len == 0 && n > b3::kChunkLen) {
      // Whole chunks, hashed side by side; at least two of them, so none is the root.
      std::array<Cv, 16> cvs;
      const size_t whole = std::min(n / b3::kChunkLen, cvs.size());
      HashChunks(p, whole, key_, chunk_.counter, flags_, cvs.data());
      const uint64_t first = chunk_.counter;
      for (size_t i = 0; i < whole; ++i) PushCv(cvs[i], first + i);
      StartChunk(first + whole);
      p += whole * b3::kChunkLen;
      n -= whole * b3::kChunkLen;
      continue;
    }
    if (chunk_.block_len == b3::kBlockLen) {
      const uint8_t flags = flags_ | (chunk_.blocks_compressed == 0 ? b3::kChunkStart : 0);
      chunk_.cv = FirstEight(
          b3::Compress(chunk_.cv, chunk_.block.data(), b3::kBlockLen, chunk_.counter, flags));
      ++chunk_.blocks_compressed;
      chunk_.block_len = 0;
      chunk_.block.fill(0);  // a short last block is hashed zero-padded
    }
    const size_t take = std::min(b3::kBlockLen - chunk_.block_len, n);
    std::memcpy(chunk_.block.data() + chunk_.block_len, p, take);
    chunk_.block_len = static_cast<uint8_t>(chunk_.block_len + take);
    p += take;
    n -= take;
  }
  // Bytes after the pushed CVs make every complete subtree final; Finalize relies on that.
  if (chunk_.blocks_compressed > 0 || chunk_.block_len > 0) MergeCvStack(chunk_.counter);
}

Blake3Digest Blake3Hasher::Finalize() const {
  Blake3Digest digest;
  FinalizeXof(digest.data(), digest.size());
  return digest;
}

void Blake3Hasher::FinalizeXof(uint8_t* out, size_t out_len) const {
  const size_t chunk_len = chunk_.blocks_compressed * b3::kBlockLen + chunk_.block_len;
  Output output;
  size_t remaining = cv_stack_len_;
  if (chunk_len > 0 || cv_stack_len_ == 0) {
    const uint8_t flags =
        flags_ | b3::kChunkEnd | (chunk_.blocks_compressed == 0 ? b3::kChunkStart : 0);
    output = Output{chunk_.cv, chunk_.block, chunk_.block_len, chunk_.counter, flags};
  } else {
    // The input ended on a chunk boundary: the last two CVs are the root's children or below.
    remaining = cv_stack_len_ - 2;
    output = ParentOutput(cv_stack_[remaining], cv_stack_[remaining + 1], key_, flags_);
  }
  while (remaining > 0) {
    --remaining;
    output = ParentOutput(cv_stack_[remaining], output.ChainingValue(), key_, flags_);
  }
  RootBytes(output, out, out_len);
}

Blake3Digest Blake3(std::string_view data) {
  if (data.size() > b3::kChunkLen && data.size() <= kTreeMax) return HashTree(b3::kIv, 0, data);
  Blake3Hasher hasher;
  hasher.Update(data);
  return hasher.Finalize();
}

Blake3Digest Blake3Keyed(const Blake3Key& key, std::string_view data) {
  if (data.size() > b3::kChunkLen && data.size() <= kTreeMax) {
    return HashTree(KeyWords(key), b3::kKeyedHash, data);
  }
  Blake3Hasher hasher(key);
  hasher.Update(data);
  return hasher.Finalize();
}

}  // namespace spacehub::xet
