// XetService over a real store on a FakeClock: tokens (expiry, scope, forgery, lost access), xorb
// and shard uploads with every verification, reconstructions with ranges, the reader, the dedup
// query's access rule, and the sweep.
#include "service/xet_service.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <random>

#include "core/crypto.h"
#include "service/repo_service.h"
#include "service/test_util.h"
#include "service/xet_scan.h"
#include "service/xet_sweeper.h"
#include "xet/chunker.h"
#include "xet/shard_format.h"
#include "xet/xet_hash.h"
#include "xet/xorb_format.h"

namespace spacehub::service {
namespace {

std::string RandomData(size_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(gen() & 0xff);
  return s;
}

// A file's data cut into chunks, its xorb (all chunks), and the shard that records it.
struct Upload {
  std::string data;
  std::string xorb;
  xet::XetHash xorb_hash;
  std::vector<xet::ChunkRef> chunks;
  xet::Shard shard;
};

Upload MakeUpload(const std::string& data, bool compress = true) {
  Upload u;
  u.data = data;
  std::vector<std::string_view> pieces;
  size_t at = 0;
  for (size_t len : xet::ChunkLengths(data)) {
    pieces.emplace_back(data.data() + at, len);
    u.chunks.push_back({xet::ChunkHash(pieces.back()), len});
    at += len;
  }
  u.xorb = xet::BuildXorb(pieces, compress);
  u.xorb_hash = xet::XorbHash(u.chunks);
  xet::FileInfo f;
  f.file_hash = xet::FileHash(u.chunks);
  xet::FileTerm t;
  t.xorb = u.xorb_hash;
  t.unpacked_bytes = static_cast<uint32_t>(data.size());
  t.chunk_start = 0;
  t.chunk_end = static_cast<uint32_t>(u.chunks.size());
  std::vector<xet::XetHash> hashes;
  for (const auto& c : u.chunks) hashes.push_back(c.hash);
  t.verification = xet::VerificationHash(hashes);
  f.terms.push_back(t);
  f.sha256 = xet::XetHash::FromHex(Sha256Hex(data));
  u.shard.files.push_back(f);
  return u;
}

class XetServiceTest : public HubTest {
 protected:
  void SetUp() override {
    OpenHub();
    alice_ = User("alice");
    bob_ = User("bob");
    RepoService repos(hub());
    ASSERT_TRUE(repos.Create(alice_, {RepoType::kModel, "", "weights", true, ""}, "http://h").ok());
    ASSERT_TRUE(repos.Create(bob_, {RepoType::kModel, "", "other", false, ""}, "http://h").ok());
    xet_ = std::make_unique<XetService>(hub());
  }

  XetGrant Grant(const Caller& who, const std::string& repo, bool write) {
    auto t = xet_->IssueToken(who, {RepoType::kModel, who->user.name, repo}, "main", write);
    EXPECT_TRUE(t.ok()) << t.status().message();
    auto g = CheckXetToken(hub(), "Bearer " + t->access_token, write);
    EXPECT_TRUE(g.ok()) << g.status().message();
    return *g;
  }

  // Uploads the xorb and the shard of `u` with `g`.
  void Store(const XetGrant& g, const Upload& u) {
    auto x = xet_->UploadXorb(g, u.xorb_hash.ToHex(), u.xorb);
    ASSERT_TRUE(x.ok()) << x.status().message();
    auto s = xet_->UploadShard(g, xet::SerializeShard(u.shard));
    ASSERT_TRUE(s.ok()) << s.status().message();
  }

  std::string ReadAll(const db::XetFileRow& f, uint64_t offset = 0, uint64_t length = UINT64_MAX) {
    auto r = xet_->OpenFile(f);
    EXPECT_TRUE(r.ok()) << r.status().message();
    (*r)->Narrow(offset, length);
    std::string out;
    char buf[7000];
    while (true) {
      auto n = (*r)->Read(buf, sizeof(buf));
      EXPECT_TRUE(n.ok());
      if (!n.ok() || *n == 0) break;
      out.append(buf, *n);
    }
    return out;
  }

  Caller alice_, bob_;
  std::unique_ptr<XetService> xet_;
};

TEST_F(XetServiceTest, TokensExpireAndKeepTheirScope) {
  auto t = xet_->IssueToken(alice_, {RepoType::kModel, "alice", "weights"}, "main", false);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->expires_at, clock_.NowMillis() / 1000 + hub().options.xet_token_ttl_seconds);
  EXPECT_TRUE(CheckXetToken(hub(), "Bearer " + t->access_token, false).ok());
  // A read token never writes.
  EXPECT_EQ(CheckXetToken(hub(), "Bearer " + t->access_token, true).status().code(),
            Code::kPermissionDenied);
  // Forged: any change to payload or signature.
  std::string forged = t->access_token;
  forged[6] = forged[6] == '0' ? '1' : '0';
  EXPECT_EQ(CheckXetToken(hub(), "Bearer " + forged, false).status().code(),
            Code::kUnauthenticated);
  EXPECT_EQ(CheckXetToken(hub(), "Basic " + t->access_token, false).status().code(),
            Code::kUnauthenticated);
  EXPECT_EQ(CheckXetToken(hub(), "", false).status().code(), Code::kUnauthenticated);
  // Expired.
  clock_.AdvanceSeconds(hub().options.xet_token_ttl_seconds);
  EXPECT_EQ(CheckXetToken(hub(), "Bearer " + t->access_token, false).status().code(),
            Code::kUnauthenticated);
}

TEST_F(XetServiceTest, TokensNeedAccessAndLoseItWithTheRepo) {
  // bob cannot get tokens for alice's private repo, not even learn it exists.
  EXPECT_EQ(xet_->IssueToken(bob_, {RepoType::kModel, "alice", "weights"}, "main", false)
                .status()
                .reason(),
            "RepoNotFound");
  // Anonymous reads of a public repo get a token; writes do not.
  EXPECT_TRUE(
      xet_->IssueToken(std::nullopt, {RepoType::kModel, "bob", "other"}, "main", false).ok());
  EXPECT_FALSE(
      xet_->IssueToken(std::nullopt, {RepoType::kModel, "bob", "other"}, "main", true).ok());
  EXPECT_FALSE(
      xet_->IssueToken(alice_, {RepoType::kModel, "alice", "weights"}, "nope", false).ok());
  auto t = xet_->IssueToken(alice_, {RepoType::kModel, "alice", "weights"}, "main", true);
  ASSERT_TRUE(t.ok());
  RepoService repos(hub());
  ASSERT_TRUE(repos.Delete(alice_, {RepoType::kModel, "alice", "weights"}).ok());
  EXPECT_EQ(CheckXetToken(hub(), "Bearer " + t->access_token, true).status().reason(),
            "RepoNotFound");
}

TEST_F(XetServiceTest, UploadAndReadBack) {
  XetGrant g = Grant(alice_, "weights", true);
  Upload u = MakeUpload(RandomData(700 * 1024, 1));
  Store(g, u);
  auto file = xet_->FileForObject(g.repo_id, Sha256Hex(u.data));
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE(file->has_value());
  EXPECT_EQ((*file)->size, u.data.size());
  EXPECT_EQ(ReadAll(**file), u.data);
  // Windows that start and end inside chunks.
  EXPECT_EQ(ReadAll(**file, 70000, 200001), u.data.substr(70000, 200001));
  EXPECT_EQ(ReadAll(**file, u.data.size() - 3), u.data.substr(u.data.size() - 3));
  // A second identical shard records nothing new.
  auto again = xet_->UploadShard(g, xet::SerializeShard(u.shard));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0);
}

// The whole-file pass (the shard's SHA-256 check, Space builds): two xorbs, one of them
// compressed, more blocks than the read-ahead ring holds, every byte in order.
TEST_F(XetServiceTest, ScanReadsAWholeFileInOrder) {
  XetGrant g = Grant(alice_, "weights", true);
  std::string text;
  while (text.size() < (3u << 20))
    text += "the same few words, over and over " + std::to_string(text.size() % 7);
  Upload a = MakeUpload(RandomData(26u << 20, 5), /*compress=*/false);
  Upload b = MakeUpload(text, /*compress=*/true);
  ASSERT_LT(b.xorb.size(), text.size() / 2);  // compressed chunks take the decoding path
  ASSERT_TRUE(xet_->UploadXorb(g, a.xorb_hash.ToHex(), a.xorb).ok());
  ASSERT_TRUE(xet_->UploadXorb(g, b.xorb_hash.ToHex(), b.xorb).ok());
  // One file: a's chunks, then b's.
  std::vector<xet::ChunkRef> chunks = a.chunks;
  chunks.insert(chunks.end(), b.chunks.begin(), b.chunks.end());
  xet::FileInfo f;
  f.file_hash = xet::FileHash(chunks);
  f.terms = {a.shard.files[0].terms[0], b.shard.files[0].terms[0]};
  const std::string data = a.data + b.data;
  f.sha256 = xet::XetHash::FromHex(Sha256Hex(data));
  xet::Shard shard;
  shard.files.push_back(f);
  auto stored = xet_->UploadShard(g, xet::SerializeShard(shard));  // scans once for the SHA-256
  ASSERT_TRUE(stored.ok()) << stored.status().message();
  auto row = hub().db.xet().FindFile(f.file_hash.ToHex());
  ASSERT_TRUE(row.ok() && row->has_value());

  std::string got;
  size_t calls = 0;
  Status st = ScanXetFile(hub(), **row, [&](std::string_view bytes) {
    got.append(bytes);
    ++calls;
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_TRUE(got == data);
  EXPECT_EQ(calls, chunks.size());

  // A sink's error ends the scan and comes back.
  calls = 0;
  st = ScanXetFile(hub(), **row, [&](std::string_view) {
    return ++calls == 3 ? Status::InvalidArgument("enough") : Status::Ok();
  });
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_EQ(calls, 3u);

  // A xorb gone from disk is a NotFound, not a crash or a short file.
  std::filesystem::remove(hub().xorbs.Path(b.xorb_hash.ToHex()));
  EXPECT_EQ(ScanXetFile(hub(), **row, [](std::string_view) { return Status::Ok(); }).code(),
            Code::kNotFound);
}

TEST_F(XetServiceTest, ASha256RecordedLaterIsAdded) {
  XetGrant g = Grant(alice_, "weights", true);
  Upload u = MakeUpload(RandomData(40 * 1024, 12));
  xet::Shard plain = u.shard;
  plain.files[0].sha256.reset();
  ASSERT_TRUE(xet_->UploadXorb(g, u.xorb_hash.ToHex(), u.xorb).ok());
  ASSERT_TRUE(xet_->UploadShard(g, xet::SerializeShard(plain)).ok());
  auto before = xet_->FileForObject(g.repo_id, Sha256Hex(u.data));
  ASSERT_TRUE(before.ok());
  EXPECT_FALSE(before->has_value());
  ASSERT_TRUE(xet_->UploadShard(g, xet::SerializeShard(u.shard)).ok());
  auto after = xet_->FileForObject(g.repo_id, Sha256Hex(u.data));
  ASSERT_TRUE(after.ok());
  ASSERT_TRUE(after->has_value());
  EXPECT_EQ(ReadAll(**after), u.data);
}

TEST_F(XetServiceTest, ReconstructionRanges) {
  XetGrant g = Grant(alice_, "weights", true);
  Upload u = MakeUpload(RandomData(500 * 1024, 2), /*compress=*/false);
  Store(g, u);
  std::string file = u.shard.files[0].file_hash.ToHex();
  auto whole = xet_->Reconstruct(g, file, std::nullopt);
  ASSERT_TRUE(whole.ok());
  ASSERT_EQ(whole->terms.size(), 1u);
  EXPECT_EQ(whole->terms[0].unpacked_bytes, u.data.size());
  EXPECT_EQ(whole->terms[0].byte_start, 0u);
  EXPECT_EQ(whole->terms[0].byte_end, u.xorb.size() - 1);
  // A range in the middle: only the chunks it touches, and the skip into the first.
  uint64_t first = u.chunks[0].length + 10;
  auto mid = xet_->Reconstruct(g, file, std::make_pair(first, first + 5));
  ASSERT_TRUE(mid.ok());
  EXPECT_EQ(mid->terms[0].chunk_start, 1u);
  EXPECT_EQ(mid->terms[0].chunk_end, 2u);
  EXPECT_EQ(mid->offset_into_first_range, 10u);
  EXPECT_EQ(xet_->Reconstruct(g, file, std::make_pair(uint64_t{u.data.size()}, uint64_t{0}))
                .status()
                .code(),
            Code::kRangeNotSatisfiable);
  // Another repo's token does not find it.
  XetGrant other = Grant(bob_, "other", false);
  EXPECT_EQ(xet_->Reconstruct(other, file, std::nullopt).status().code(), Code::kNotFound);
}

TEST_F(XetServiceTest, XorbsAreVerifiedBeforeAnythingIsStored) {
  XetGrant g = Grant(alice_, "weights", true);
  Upload u = MakeUpload(RandomData(100 * 1024, 3));
  Upload v = MakeUpload(RandomData(1000, 4));
  EXPECT_EQ(xet_->UploadXorb(g, v.xorb_hash.ToHex(), u.xorb).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(
      xet_->UploadXorb(g, u.xorb_hash.ToHex(), u.xorb.substr(0, u.xorb.size() - 1)).status().code(),
      Code::kInvalidArgument);
  EXPECT_EQ(xet_->UploadXorb(g, "zz", u.xorb).status().code(), Code::kInvalidArgument);
  EXPECT_FALSE(hub().xorbs.Exists(u.xorb_hash.ToHex()));
  EXPECT_FALSE(hub().xorbs.Exists(v.xorb_hash.ToHex()));
  auto row = hub().db.xet().FindXorb(u.xorb_hash.ToHex());
  ASSERT_TRUE(row.ok());
  EXPECT_FALSE(row->has_value());
}

// Files under the xorb store's folders (written, or left behind as temp files).
size_t StoreFiles(const std::filesystem::path& dir) {
  size_t n = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir, ec)) {
    if (e.is_regular_file()) ++n;
  }
  return n;
}

TEST_F(XetServiceTest, AStreamedXorbIsCheckedAsItComesAndStoredOnFinish) {
  XetGrant g = Grant(alice_, "weights", true);
  Upload u = MakeUpload(RandomData(300 * 1024, 5));
  auto upload = xet_->BeginXorb(g, u.xorb_hash.ToHex());
  ASSERT_TRUE(upload.ok()) << upload.status().message();
  for (size_t at = 0; at < u.xorb.size(); at += 7777) {
    ASSERT_TRUE((*upload)->Write(std::string_view(u.xorb).substr(at, 7777)).ok());
  }
  EXPECT_FALSE(hub().xorbs.Exists(u.xorb_hash.ToHex()));  // not before Finish
  auto inserted = (*upload)->Finish();
  ASSERT_TRUE(inserted.ok()) << inserted.status().message();
  EXPECT_TRUE(*inserted);
  EXPECT_EQ(*hub().xorbs.Size(u.xorb_hash.ToHex()), u.xorb.size());
  auto row = hub().db.xet().FindXorb(u.xorb_hash.ToHex());
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ((*row)->stored_bytes, u.xorb.size());
  EXPECT_EQ(StoreFiles(dir_ / "xet" / "tmp"), 0u);
  // Again: checked, not written twice, not new.
  auto again = xet_->BeginXorb(g, u.xorb_hash.ToHex());
  ASSERT_TRUE(again.ok());
  ASSERT_TRUE((*again)->Write(u.xorb).ok());
  auto second = (*again)->Finish();
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_FALSE(*second);
}

TEST_F(XetServiceTest, AStreamedXorbThatFailsLeavesNothing) {
  XetGrant g = Grant(alice_, "weights", true);
  Upload u = MakeUpload(RandomData(200 * 1024, 6));
  Upload v = MakeUpload(RandomData(1000, 7));
  const std::string hash = u.xorb_hash.ToHex();
  // Before any body byte: a read token, a malformed hash.
  EXPECT_EQ(xet_->BeginXorb(Grant(alice_, "weights", false), hash).status().code(),
            Code::kPermissionDenied);
  EXPECT_EQ(xet_->BeginXorb(g, "not-a-hash").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(xet_->BeginXorb(g, hash, xet::kMaxXorbBytes + 1).status().code(),
            Code::kInvalidArgument);
  EXPECT_TRUE(xet_->BeginXorb(g, hash, xet::kMaxXorbBytes).ok());
  std::string corrupt = u.xorb;
  corrupt[1] = static_cast<char>(0xff);  // the first chunk claims more data than it has
  const std::vector<std::pair<std::string, std::string>> bodies = {
      {hash, corrupt},
      {v.xorb_hash.ToHex(), u.xorb},                // another xorb's hash
      {hash, u.xorb.substr(0, u.xorb.size() - 1)},  // truncated
      {hash, u.xorb + "junk"},
  };
  for (const auto& [name, body] : bodies) {
    auto upload = xet_->BeginXorb(g, name);
    ASSERT_TRUE(upload.ok());
    Status st;
    for (size_t at = 0; at < body.size() && st.ok(); at += 4096) {
      st = (*upload)->Write(std::string_view(body).substr(at, 4096));
    }
    if (st.ok()) st = (*upload)->Finish().status();
    EXPECT_EQ(st.code(), Code::kInvalidArgument) << st.message();
  }
  // A body cut off by the client: the upload is dropped without Finish.
  {
    auto upload = xet_->BeginXorb(g, hash);
    ASSERT_TRUE(upload.ok());
    ASSERT_TRUE((*upload)->Write(std::string_view(u.xorb).substr(0, u.xorb.size() / 2)).ok());
  }
  // A body without a declared length stops at the limit.
  {
    auto upload = xet_->BeginXorb(g, hash);
    ASSERT_TRUE(upload.ok());
    const std::string chunk =
        xet::BuildXorb({RandomData(xet::kMaxChunkBytes, 8)}, /*compress=*/false);
    Status st;
    uint64_t sent = 0;
    while (st.ok() && sent <= xet::kMaxXorbBytes) {
      st = (*upload)->Write(chunk);
      sent += chunk.size();
    }
    EXPECT_EQ(st.code(), Code::kInvalidArgument);
    EXPECT_EQ(StoreFiles(dir_ / "xet" / "tmp"), 0u);  // gone as soon as it failed
  }
  EXPECT_EQ(StoreFiles(dir_ / "xet"), 0u);
  for (const std::string& h : {hash, v.xorb_hash.ToHex()}) {
    auto row = hub().db.xet().FindXorb(h);
    ASSERT_TRUE(row.ok());
    EXPECT_FALSE(row->has_value());
  }
}

TEST_F(XetServiceTest, ShardsAreVerified) {
  XetGrant g = Grant(alice_, "weights", true);
  Upload u = MakeUpload(RandomData(300 * 1024, 5));
  ASSERT_TRUE(xet_->UploadXorb(g, u.xorb_hash.ToHex(), u.xorb).ok());
  auto refused = [&](xet::Shard s) {
    auto r = xet_->UploadShard(g, xet::SerializeShard(s));
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  };
  xet::Shard wrong_file = u.shard;
  wrong_file.files[0].file_hash.bytes[0] ^= 1;
  refused(wrong_file);
  xet::Shard wrong_verification = u.shard;
  wrong_verification.files[0].terms[0].verification->bytes[0] ^= 1;
  refused(wrong_verification);
  xet::Shard no_verification = u.shard;
  no_verification.files[0].terms[0].verification.reset();
  refused(no_verification);
  xet::Shard wrong_size = u.shard;
  wrong_size.files[0].terms[0].unpacked_bytes += 1;
  refused(wrong_size);
  xet::Shard past_end = u.shard;
  past_end.files[0].terms[0].chunk_end += 1;
  refused(past_end);
  xet::Shard wrong_sha = u.shard;
  wrong_sha.files[0].sha256->bytes[5] ^= 1;
  refused(wrong_sha);
  Upload missing = MakeUpload(RandomData(2000, 6));  // its xorb was never uploaded
  refused(missing.shard);
  EXPECT_EQ(xet_->UploadShard(g, "not a shard").status().code(), Code::kInvalidArgument);
  auto file = hub().db.xet().FindFile(u.shard.files[0].file_hash.ToHex());
  ASSERT_TRUE(file.ok());
  EXPECT_FALSE(file->has_value());
}

// What /v2/shards streams: each file checked, then the commit; a check no one waits for any more
// stops, in the file loop or in the middle of a file's SHA-256 pass, and records nothing.
class RecordingProgress final : public ShardProgress {
 public:
  explicit RecordingProgress(int wanted_for = INT32_MAX) : wanted_for_(wanted_for) {}
  void Validating(uint64_t verified, uint64_t total) override {
    events.push_back(std::to_string(verified) + "/" + std::to_string(total));
  }
  void Committing() override { events.emplace_back("committing"); }
  bool Wanted() const override { return asked_++ < wanted_for_; }
  std::vector<std::string> events;
  mutable int asked_ = 0;

 private:
  int wanted_for_;
};

TEST_F(XetServiceTest, ShardProgressIsReportedAndAnAbandonedCheckRecordsNothing) {
  XetGrant g = Grant(alice_, "weights", true);
  Upload a = MakeUpload(RandomData(300 * 1024, 21));
  Upload b = MakeUpload(RandomData(300 * 1024, 22));
  for (const Upload* u : {&a, &b})
    ASSERT_TRUE(xet_->UploadXorb(g, u->xorb_hash.ToHex(), u->xorb).ok());
  xet::Shard both = a.shard;
  both.files.push_back(b.shard.files[0]);
  for (int wanted_for : {0, 2}) {  // gone before the first file; in the middle of its SHA-256 pass
    RecordingProgress gone(wanted_for);
    auto r = xet_->RecordShard(g, both, &gone);
    EXPECT_EQ(r.status().code(), Code::kUnavailable) << wanted_for;
    EXPECT_FALSE(*xet_->FileForObject(g.repo_id, Sha256Hex(a.data))) << wanted_for;
  }
  RecordingProgress seen;
  auto r = xet_->RecordShard(g, both, &seen);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(seen.events, (std::vector<std::string>{"0/2", "1/2", "2/2", "committing"}));
  EXPECT_TRUE(*xet_->FileForObject(g.repo_id, Sha256Hex(b.data)));
}

TEST_F(XetServiceTest, AShardCannotMakeTheHubReadUnboundedData) {
  // The same 300 KiB term over and over: a few MB of shard naming more than the hub accepts.
  XetGrant g = Grant(alice_, "weights", true);
  Upload u = MakeUpload(RandomData(300 * 1024, 11));
  ASSERT_TRUE(xet_->UploadXorb(g, u.xorb_hash.ToHex(), u.xorb).ok());
  xet::Shard huge = u.shard;
  const xet::FileTerm term = huge.files[0].terms[0];
  const uint64_t n = hub().options.max_lfs_object_bytes / term.unpacked_bytes + 2;
  huge.files[0].terms.assign(n, term);
  auto r = xet_->UploadShard(g, xet::SerializeShard(huge));
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("larger than this hub accepts"), std::string::npos);
}

// One user cannot queue shard checks (each reads whole files back) ahead of everyone else's.
TEST_F(XetServiceTest, AUserWithChecksUnderWayIsToldToRetryAndNothingIsRecorded) {
  XetGrant a = Grant(alice_, "weights", true);
  Upload u = MakeUpload(RandomData(100 * 1024, 11));
  ASSERT_TRUE(xet_->UploadXorb(a, u.xorb_hash.ToHex(), u.xorb).ok());
  auto first = xet_->AdmitShardCheck(a);
  auto second = xet_->AdmitShardCheck(a);
  ASSERT_TRUE(first.ok() && second.ok());
  auto refused = xet_->UploadShard(a, xet::SerializeShard(u.shard));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Code::kResourceExhausted);
  EXPECT_TRUE(refused.status().retry_after_seconds().has_value());
  auto none = xet_->FileForObject(a.repo_id, Sha256Hex(u.data));
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  EXPECT_TRUE(xet_->AdmitShardCheck(Grant(bob_, "other", true)).ok());  // bob is not held up
  { ShardAdmission::Ticket ended = std::move(*first); }  // one of alice's checks ends
  auto stored = xet_->UploadShard(a, xet::SerializeShard(u.shard));
  ASSERT_TRUE(stored.ok()) << stored.status().message();
  EXPECT_EQ(*stored, 1);
}

TEST_F(XetServiceTest, TheHubsSettingsBoundTheChecksUnderWay) {
  // An operator whose users upload through one service account, say, sets the limits.
  hub().options.xet_shard_checks_per_user = 3;
  hub().options.xet_shard_checks = 4;
  XetService xet(hub());
  XetGrant a = Grant(alice_, "weights", true);
  std::vector<ShardAdmission::Ticket> held;
  for (int i = 0; i < 3; ++i) {
    auto t = xet.AdmitShardCheck(a);
    ASSERT_TRUE(t.ok()) << "check " << i << ": " << t.status().message();
    held.push_back(std::move(*t));
  }
  EXPECT_EQ(xet.AdmitShardCheck(a).status().code(), Code::kResourceExhausted);
  XetGrant b = Grant(bob_, "other", true);
  auto bobs = xet.AdmitShardCheck(b);
  ASSERT_TRUE(bobs.ok()) << bobs.status().message();
  // The hub's fourth place is taken: everyone waits, whoever they are.
  Caller carol = User("carol");
  ASSERT_TRUE(RepoService(hub())
                  .Create(carol, {RepoType::kModel, "", "third", false, ""}, "http://h")
                  .ok());
  EXPECT_EQ(xet.AdmitShardCheck(Grant(carol, "third", true)).status().code(), Code::kUnavailable);
  held.clear();  // alice's checks end: carol's goes through
  EXPECT_TRUE(xet.AdmitShardCheck(Grant(carol, "third", true)).ok());
}

TEST_F(XetServiceTest, KnowingHashesGrantsNothing) {
  // alice's private data: bob knows every hash (say, from a leak) but not the bytes.
  XetGrant a = Grant(alice_, "weights", true);
  Upload u = MakeUpload(RandomData(200 * 1024, 7));
  Store(a, u);
  XetGrant b = Grant(bob_, "other", true);
  EXPECT_EQ(xet_->UploadShard(b, xet::SerializeShard(u.shard)).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(xet_->DedupQuery(b, u.chunks[0].hash.ToHex()).status().code(), Code::kNotFound);
  EXPECT_EQ(xet_->XorbSize(b, u.xorb_hash.ToHex()).status().code(), Code::kNotFound);
  // alice's own query answers, with the chunk hashes keyed so only a holder can match them.
  auto answer = xet_->DedupQuery(a, u.chunks[0].hash.ToHex());
  ASSERT_TRUE(answer.ok()) << answer.status().message();
  auto shard = xet::ParseShard(*answer);
  ASSERT_TRUE(shard.ok()) << shard.status().message();
  ASSERT_EQ(shard->xorbs.size(), 1u);
  EXPECT_FALSE(shard->hmac_key.IsZero());
  EXPECT_EQ(shard->xorbs[0].xorb, u.xorb_hash);
  EXPECT_EQ(shard->xorbs[0].chunks[0].hash, xet::Hmac(u.chunks[0].hash, shard->hmac_key));
  // Once bob uploads the same bytes himself, he may use them.
  ASSERT_TRUE(xet_->UploadXorb(b, u.xorb_hash.ToHex(), u.xorb).ok());
  EXPECT_TRUE(xet_->UploadShard(b, xet::SerializeShard(u.shard)).ok());
}

TEST_F(XetServiceTest, DedupDescribesTheOtherXorbsOfTheFile) {
  // One file over two xorbs: asking about its first chunk describes both, so a client that asks
  // once (@huggingface/hub) dedups the whole file.
  XetGrant g = Grant(alice_, "weights", true);
  Upload a = MakeUpload(RandomData(150 * 1024, 13));
  Upload b = MakeUpload(RandomData(170 * 1024, 14));
  ASSERT_TRUE(xet_->UploadXorb(g, a.xorb_hash.ToHex(), a.xorb).ok());
  ASSERT_TRUE(xet_->UploadXorb(g, b.xorb_hash.ToHex(), b.xorb).ok());
  std::vector<xet::ChunkRef> all = a.chunks;
  all.insert(all.end(), b.chunks.begin(), b.chunks.end());
  xet::Shard s;
  xet::FileInfo f;
  f.file_hash = xet::FileHash(all);
  f.terms = {a.shard.files[0].terms[0], b.shard.files[0].terms[0]};
  f.sha256 = xet::XetHash::FromHex(Sha256Hex(a.data + b.data));
  s.files.push_back(f);
  auto recorded = xet_->UploadShard(g, xet::SerializeShard(s));
  ASSERT_TRUE(recorded.ok()) << recorded.status().message();
  auto answer = xet_->DedupQuery(g, a.chunks[0].hash.ToHex());
  ASSERT_TRUE(answer.ok());
  auto shard = xet::ParseShard(*answer);
  ASSERT_TRUE(shard.ok());
  ASSERT_EQ(shard->xorbs.size(), 2u);
  EXPECT_EQ(shard->xorbs[0].xorb, a.xorb_hash);
  EXPECT_EQ(shard->xorbs[1].xorb, b.xorb_hash);
  // Another user still learns nothing from it.
  XetGrant other = Grant(bob_, "other", true);
  EXPECT_EQ(xet_->DedupQuery(other, a.chunks[0].hash.ToHex()).status().code(), Code::kNotFound);
}

TEST_F(XetServiceTest, SweepRemovesWhatNoLiveRepoUses) {
  XetGrant g = Grant(alice_, "weights", true);
  Upload kept = MakeUpload(RandomData(50 * 1024, 8));
  Store(g, kept);
  Upload orphan = MakeUpload(RandomData(60 * 1024, 9));
  ASSERT_TRUE(xet_->UploadXorb(g, orphan.xorb_hash.ToHex(), orphan.xorb).ok());  // no shard
  const int64_t now = clock_.NowMillis() / 1000;
  // Within the grace period nothing goes (its shard may still come).
  auto none = xet_->Sweep(now - 3600);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0u);
  auto one = xet_->Sweep(now + 1);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(*one, 1u);
  EXPECT_FALSE(hub().xorbs.Exists(orphan.xorb_hash.ToHex()));
  EXPECT_TRUE(hub().xorbs.Exists(kept.xorb_hash.ToHex()));
  // Deleting the repo makes its files' xorbs unreachable.
  RepoService repos(hub());
  ASSERT_TRUE(repos.Delete(alice_, {RepoType::kModel, "alice", "weights"}).ok());
  auto rest = xet_->Sweep(now + 1);
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(*rest, 1u);
  EXPECT_FALSE(hub().xorbs.Exists(kept.xorb_hash.ToHex()));
}

TEST_F(XetServiceTest, ASweepDeletesNothingAShardReachedAfterItWasListed) {
  // The interleaving the sweep must survive: it lists an unreachable xorb, then a shard makes a
  // file of it, then the sweep comes to delete it.
  XetGrant g = Grant(alice_, "weights", true);
  Upload u = MakeUpload(RandomData(40 * 1024, 11));
  ASSERT_TRUE(xet_->UploadXorb(g, u.xorb_hash.ToHex(), u.xorb).ok());
  const int64_t later = clock_.NowMillis() / 1000 + 1;
  auto listed = hub().db.xet().UnreachableXorbs(later, 10);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(*listed, std::vector<std::string>{u.xorb_hash.ToHex()});
  ASSERT_TRUE(xet_->UploadShard(g, xet::SerializeShard(u.shard)).ok());
  auto gone = hub().db.xet().DeleteXorbIfUnreachable(u.xorb_hash.ToHex(), later);
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(*gone);
  auto swept = xet_->Sweep(later);
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(*swept, 0u);
  EXPECT_TRUE(hub().xorbs.Exists(u.xorb_hash.ToHex()));
  auto file = hub().db.xet().FindFile(u.shard.files[0].file_hash.ToHex());
  ASSERT_TRUE(file.ok() && file->has_value());
  EXPECT_EQ(ReadAll(**file), u.data);
}

TEST_F(XetServiceTest, AShardWhoseXorbWasSweptMeanwhileIsRefusedAndRecordsNothing) {
  // The other order: the sweep deleted the row after the shard looked the xorb up, before the
  // shard's files were recorded.
  XetGrant g = Grant(alice_, "weights", true);
  Upload u = MakeUpload(RandomData(40 * 1024, 12));
  ASSERT_TRUE(xet_->UploadXorb(g, u.xorb_hash.ToHex(), u.xorb).ok());
  db::XetFileRow f;
  f.file_hash = u.shard.files[0].file_hash.ToHex();
  f.size = u.data.size();
  f.xorbs = {u.xorb_hash.ToHex()};
  auto gone =
      hub().db.xet().DeleteXorbIfUnreachable(u.xorb_hash.ToHex(), clock_.NowMillis() / 1000 + 1);
  ASSERT_TRUE(gone.ok() && *gone);
  EXPECT_EQ(hub().db.xet().AddFiles({f}, f.xorbs, 1).code(), Code::kNotFound);
  auto file = hub().db.xet().FindFile(f.file_hash);
  ASSERT_TRUE(file.ok());
  EXPECT_FALSE(file->has_value());
  EXPECT_EQ(xet_->UploadShard(g, xet::SerializeShard(u.shard)).status().code(),
            Code::kInvalidArgument);
}

TEST_F(XetServiceTest, UploadingAXorbAgainRestartsItsGracePeriod) {
  XetGrant g = Grant(alice_, "weights", true);
  Upload u = MakeUpload(RandomData(30 * 1024, 13));
  ASSERT_TRUE(xet_->UploadXorb(g, u.xorb_hash.ToHex(), u.xorb).ok());
  clock_.AdvanceSeconds(48 * 3600);
  // Uploaded again (its shard to follow): a sweep with a day's grace keeps it.
  ASSERT_TRUE(xet_->UploadXorb(g, u.xorb_hash.ToHex(), u.xorb).ok());
  auto swept = xet_->Sweep(clock_.NowMillis() / 1000 - 24 * 3600);
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(*swept, 0u);
  EXPECT_TRUE(hub().xorbs.Exists(u.xorb_hash.ToHex()));
}

TEST_F(XetServiceTest, AXorbSweptWhileItWasUploadedAgainIsRefusedNotRecordedWithoutBytes) {
  XetGrant g = Grant(alice_, "weights", true);
  Upload u = MakeUpload(RandomData(30 * 1024, 14));
  const std::string hex = u.xorb_hash.ToHex();
  ASSERT_TRUE(xet_->UploadXorb(g, hex, u.xorb).ok());
  // Stored already when the second upload begins: it is checked but not written again...
  auto again = xet_->BeginXorb(g, hex, u.xorb.size());
  ASSERT_TRUE(again.ok());
  // ...and the sweep takes the xorb before it ends.
  auto swept = xet_->Sweep(clock_.NowMillis() / 1000 + 1);
  ASSERT_TRUE(swept.ok());
  ASSERT_EQ(*swept, 1u);
  ASSERT_TRUE((*again)->Write(u.xorb).ok());
  EXPECT_EQ((*again)->Finish().status().code(), Code::kUnavailable);
  auto row = hub().db.xet().FindXorb(hex);
  ASSERT_TRUE(row.ok());
  EXPECT_FALSE(row->has_value()) << "a row for bytes that are gone";
  // Sent again, it is stored whole.
  ASSERT_TRUE(xet_->UploadXorb(g, hex, u.xorb).ok());
  EXPECT_TRUE(hub().xorbs.Exists(hex));
}

TEST_F(XetServiceTest, SweepDeletesStoredBytesWhoseRowNeverCameOnceOlderThanTheGrace) {
  // A kill between a xorb's rename and its row leaves bytes nothing records.
  Upload u = MakeUpload(RandomData(20 * 1024, 15));
  const std::string hex = u.xorb_hash.ToHex();
  auto put = hub().xorbs.Put(hex, u.xorb);
  ASSERT_TRUE(put.ok() && *put);
  XetGrant g = Grant(alice_, "weights", true);
  Upload kept = MakeUpload(RandomData(20 * 1024, 16));
  Store(g, kept);
  // Written just now (the file clock is the real one): within any grace, it stays.
  const int64_t real_now = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  auto young = xet_->Sweep(real_now - 3600);
  ASSERT_TRUE(young.ok());
  EXPECT_EQ(*young, 0u);
  EXPECT_TRUE(hub().xorbs.Exists(hex));
  auto old = xet_->Sweep(real_now + 60);
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(*old, 1u);
  EXPECT_FALSE(hub().xorbs.Exists(hex));
  EXPECT_TRUE(hub().xorbs.Exists(kept.xorb_hash.ToHex())) << "recorded and used: kept";
}

TEST_F(XetServiceTest, SweeperSweepsAndStops) {
  XetGrant g = Grant(alice_, "weights", true);
  Upload orphan = MakeUpload(RandomData(10 * 1024, 10));
  ASSERT_TRUE(xet_->UploadXorb(g, orphan.xorb_hash.ToHex(), orphan.xorb).ok());
  XetSweeper sweeper(hub(), std::chrono::hours(6), std::chrono::hours(24));
  EXPECT_EQ(sweeper.SweepOnce(), 0u);  // within the grace period
  clock_.AdvanceSeconds(25 * 3600);
  EXPECT_EQ(sweeper.SweepOnce(), 1u);
  // The thread's first round and a prompt stop (no waiting out the interval).
  sweeper.Start();
  sweeper.Stop();
  EXPECT_FALSE(hub().xorbs.Exists(orphan.xorb_hash.ToHex()));
}

}  // namespace
}  // namespace spacehub::service
