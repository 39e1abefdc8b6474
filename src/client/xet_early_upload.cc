#include "client/xet_early_upload.h"

#include <deque>
#include <exception>
#include <thread>
#include <utility>

#include "client/xet_chunks.h"
#include "core/mutex.h"
#include "spacehub/errors.h"

namespace spacehub::client::detail {
namespace {

// Windows of consecutive chunks, cut on the caller's thread and sent in order by one thread.
class WindowSender final {
 public:
  WindowSender(const std::string& path, const XetCasAuth& auth, bool compress, SentXorbs& sent)
      : path_(path), auth_(auth), compress_(compress), sent_(sent), thread_([this] { Run(); }) {}
  // Without Finish (the file could not be read to its end): the windows still queued are dropped,
  // not sent for an upload that is failing anyway; one being sent ends first.
  ~WindowSender() { Close(/*drop_queued=*/true); }
  WindowSender(const WindowSender&) = delete;
  WindowSender& operator=(const WindowSender&) = delete;

  // The caller's thread: the next chunk of the file.
  void Add(const FileChunk& c) {
    if (!window_.empty() &&
        (window_bytes_ + c.length > kXorbMaxRawBytes || window_.size() == kXorbMaxChunks)) {
      Publish();
    }
    window_.push_back(c);
    window_bytes_ += c.length;
  }

  // Sends the last window, waits for the sender; every chunk in order, and whether all was sent.
  std::vector<FileChunk> Finish(bool& sent_ok) {
    if (!window_.empty()) Publish();
    Close(/*drop_queued=*/false);
    std::vector<FileChunk> all;
    for (auto& w : done_) all.insert(all.end(), w.begin(), w.end());
    sent_ok = !failed_;
    return all;
  }

 private:
  void Publish() {
    {
      MutexLock lock(mu_);
      queue_.push_back(std::move(window_));
    }
    changed_.NotifyAll();
    window_.clear();
    window_bytes_ = 0;
  }

  void Close(bool drop_queued) {
    {
      MutexLock lock(mu_);
      closing_ = true;
      if (drop_queued) queue_.clear();
    }
    changed_.NotifyAll();
    if (thread_.joinable()) thread_.join();
  }

  void Run() {
    DedupIndex index;
    for (;;) {
      std::vector<FileChunk> w;
      {
        MutexLock lock(mu_);
        changed_.Wait(mu_, [&]() REQUIRES(mu_) { return !queue_.empty() || closing_; });
        if (queue_.empty()) return;
        w = std::move(queue_.front());
        queue_.pop_front();
      }
      if (!failed_) {
        try {
          Send(w, index);
        } catch (const std::exception&) {  // HubError above all
          failed_ = true;                  // the usual path takes over; dedup finds what did go
        }
      }
      done_.push_back(std::move(w));  // kept either way: they are the file's chunks
    }
  }

  // One window: ask about it, place its chunks, post its new xorbs, add it to the plan.
  void Send(const std::vector<FileChunk>& w, DedupIndex& index) {
    auto ask = [&](size_t i) {
      if (auto shard = AskDedup(auth_, w[i].hash)) index.AddShard(*shard);
    };
    for (size_t i : DedupQueryChunks(w)) ask(i);
    FollowDedup(w, index, ask);
    FilePlan plan = PlanFile(w, index);
    XetUploadFile f{.local_path = path_, .chunks = &w};
    const size_t base = chunk_count_;
    for (NewXorb& x : plan.xorbs) {
      x.stored_bytes = PostXorb(auth_, f, x, compress_);
      sent_.stats.xorb_bytes_sent += x.stored_bytes;
      ++sent_.stats.xorbs;
      for (size_t& c : x.chunks) c += base;  // indices into the whole file's chunks
      sent_.plan.xorbs.push_back(std::move(x));
    }
    uint64_t bytes = 0;
    for (const FileChunk& c : w) bytes += c.length;
    sent_.stats.deduped_bytes += bytes - plan.new_bytes;
    sent_.plan.new_bytes += plan.new_bytes;
    sent_.plan.terms.insert(sent_.plan.terms.end(), plan.terms.begin(), plan.terms.end());
    chunk_count_ += w.size();
  }

  const std::string& path_;
  const XetCasAuth& auth_;
  const bool compress_;
  SentXorbs& sent_;  // the sender thread's until Finish joins it
  // The caller's: the window being cut.
  std::vector<FileChunk> window_;
  uint64_t window_bytes_ = 0;
  Mutex mu_;
  CondVar changed_;
  std::deque<std::vector<FileChunk>> queue_ GUARDED_BY(mu_);
  bool closing_ GUARDED_BY(mu_) = false;
  // The sender thread's until Finish joins it.
  std::vector<std::vector<FileChunk>> done_;
  size_t chunk_count_ = 0;
  bool failed_ = false;
  std::thread thread_;
};

}  // namespace

std::vector<FileChunk> ChunkAndSend(const std::string& path, const XetCasAuth& auth, bool compress,
                                    SentXorbs& sent, bool& sent_ok) {
  WindowSender sender(path, auth, compress, sent);
  ChunkFileInto(path, [&sender](const FileChunk& c) { sender.Add(c); });
  std::vector<FileChunk> chunks = sender.Finish(sent_ok);
  std::vector<xet::ChunkRef> refs;
  refs.reserve(chunks.size());
  for (const FileChunk& c : chunks) refs.push_back({c.hash, c.length});
  sent.plan.file_hash = xet::FileHash(refs);
  return chunks;
}

}  // namespace spacehub::client::detail
