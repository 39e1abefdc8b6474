// Tests for the offline decision and the errors an offline download ends with.
#include "client/offline.h"

#include <gtest/gtest.h>

namespace spacehub::client::detail {
namespace {

TEST(OfflineTest, LocalFilesOnlyOrOfflineMode) {
  ResolvedConfig online, offline;
  offline.offline = true;
  DownloadOptions plain, local;
  local.local_files_only = true;
  EXPECT_EQ(DownloadOffline(online, plain), Offline::kNo);
  EXPECT_EQ(DownloadOffline(online, local), Offline::kLocalFilesOnly);
  EXPECT_EQ(DownloadOffline(offline, plain), Offline::kMode);
  EXPECT_EQ(DownloadOffline(offline, local), Offline::kLocalFilesOnly);
}

TEST(OfflineTest, ErrorsNameTheSwitch) {
  try {
    ThrowNotCached(Offline::kMode, "u/m/a.txt at main");
  } catch (const LocalEntryNotFound& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kLocalEntryNotFound);
    EXPECT_NE(std::string(e.what()).find("u/m/a.txt at main"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("HF_HUB_OFFLINE"), std::string::npos);
  }
  try {
    ThrowForcedOffline(Offline::kLocalFilesOnly);
  } catch (const LocalError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("local_files_only"), std::string::npos);
  }
  EXPECT_THROW(ThrowNotCached(Offline::kLocalFilesOnly, "x"), LocalEntryNotFound);
  EXPECT_THROW(ThrowForcedOffline(Offline::kMode), LocalError);
}

}  // namespace
}  // namespace spacehub::client::detail
