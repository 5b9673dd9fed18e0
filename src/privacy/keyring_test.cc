#include "privacy/keyring.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include <thread>

#include "privacy/internal/secret_file.h"
#include "privacy/keyed_hash.h"
#include "privacy/testing/privacy_fixture.h"

namespace banyan::privacy {
namespace {

class KeyRingTest : public testing::PrivacyFixture {
 protected:
  std::string ReadRing() {
    std::ifstream in(RingPath());
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  void WriteRing(const std::string& text) {
    std::ofstream(RingPath(), std::ios::trunc) << text;
    ::chmod(RingPath().c_str(), 0600);
  }
  Result<std::unique_ptr<KeyRing>> Reload() {
    return KeyRing::LoadOrCreate(RingPath(), random_, clock_);
  }
  static mode_t ModeOf(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0);
    return st.st_mode & 0777;
  }
};

TEST_F(KeyRingTest, CreatedWithOwnerOnlyModesAndVersionOne) {
  EXPECT_EQ(ModeOf(RingPath()), 0600u);
  EXPECT_EQ(ModeOf((dir_ / "keys").string()), 0700u);
  EXPECT_EQ(ring_->current_version(), 1u);
  EXPECT_EQ(ring_->versions(), std::vector<uint32_t>{1});
  EXPECT_EQ(ring_->path(), RingPath());
  // No temporary file is left beside it.
  int files = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir_ / "keys")) {
    ++files;
  }
  EXPECT_EQ(files, 1);
}

TEST_F(KeyRingTest, ReloadGivesTheSameKeys) {
  const DataKey master = *ring_->MasterKey(1);
  const LookupHash hash = KeyedHash(*ring_, "phone", "13812341234");
  Result<std::unique_ptr<KeyRing>> again = Reload();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(*(*again)->MasterKey(1) == master);
  EXPECT_EQ(KeyedHash(**again, "phone", "13812341234"), hash);
}

TEST_F(KeyRingTest, GroupReadableFileIsRefused) {
  ASSERT_EQ(::chmod(RingPath().c_str(), 0644), 0);
  Result<std::unique_ptr<KeyRing>> again = Reload();
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(again.status().message().find(RingPath()), std::string::npos);
  EXPECT_NE(again.status().message().find("chmod 600"), std::string::npos);
}

TEST_F(KeyRingTest, EditedFileFailsItsChecksumWithoutEchoingKeys) {
  std::string text = ReadRing();
  const size_t at = text.find("hash-key ") + 9;
  const std::string hex = text.substr(at, 64);
  text[at] = text[at] == 'a' ? 'b' : 'a';
  WriteRing(text);
  Result<std::unique_ptr<KeyRing>> again = Reload();
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(again.status().message().find("checksum"), std::string::npos);
  EXPECT_EQ(again.status().message().find(hex.substr(1)), std::string::npos);
}

TEST_F(KeyRingTest, TruncatedFileIsDataLoss) {
  WriteRing(ReadRing().substr(0, 40));
  EXPECT_EQ(Reload().status().code(), StatusCode::kDataLoss);
  WriteRing("");
  EXPECT_EQ(Reload().status().code(), StatusCode::kDataLoss);
}

TEST_F(KeyRingTest, OversizedFileIsRefusedUnread) {
  WriteRing(std::string(kKeyRingFileBytesMax + 1, '#'));
  EXPECT_EQ(Reload().status().code(), StatusCode::kTooLarge);
}

TEST_F(KeyRingTest, AddVersionIsDurableAndKeepsOldKeys) {
  const DataKey first = *ring_->MasterKey(1);
  ASSERT_TRUE(ring_->AddVersion(random_).ok());
  EXPECT_EQ(ring_->current_version(), 2u);
  EXPECT_EQ(ring_->CurrentMasterKey().first, 2u);
  EXPECT_FALSE(ring_->CurrentMasterKey().second == first);
  Result<std::unique_ptr<KeyRing>> again = Reload();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ((*again)->versions(), (std::vector<uint32_t>{1, 2}));
  EXPECT_TRUE(*(*again)->MasterKey(1) == first);
  EXPECT_EQ(ModeOf(RingPath()), 0600u);
}

TEST_F(KeyRingTest, RetireKeepsOnlyTheCurrentVersionAndTheHashKey) {
  const LookupHash hash = KeyedHash(*ring_, "phone", "1");
  ASSERT_TRUE(ring_->AddVersion(random_).ok());
  ASSERT_TRUE(ring_->AddVersion(random_).ok());
  const DataKey current = ring_->CurrentMasterKey().second;
  ASSERT_TRUE(ring_->RetireOldVersions().ok());
  EXPECT_EQ(ring_->versions(), std::vector<uint32_t>{3});
  EXPECT_EQ(ring_->MasterKey(1).status().code(), StatusCode::kNotFound);
  Result<std::unique_ptr<KeyRing>> again = Reload();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ((*again)->versions(), std::vector<uint32_t>{3});
  EXPECT_TRUE((*again)->CurrentMasterKey().second == current);
  EXPECT_EQ(KeyedHash(**again, "phone", "1"), hash);
}

TEST_F(KeyRingTest, VersionCountIsBounded) {
  for (size_t i = 1; i < kKeyRingVersionsMax; ++i) ASSERT_TRUE(ring_->AddVersion(random_).ok());
  Status full = ring_->AddVersion(random_);
  EXPECT_EQ(full.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(ring_->versions().size(), kKeyRingVersionsMax);
  ASSERT_TRUE(Reload().ok());  // the largest ring still loads
}

TEST_F(KeyRingTest, RingsInDifferentFilesHaveDifferentKeys) {
  auto other = KeyRing::LoadOrCreate((dir_ / "other.keyring").string(), random_, clock_);
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(*(*other)->MasterKey(1) == *ring_->MasterKey(1));
  EXPECT_NE(KeyedHash(**other, "phone", "1"), KeyedHash(*ring_, "phone", "1"));
}

TEST_F(KeyRingTest, CreatingOverAnExistingFileIsAlreadyExistsAndChangesNothing) {
  const std::string before = ReadRing();
  Status status =
      internal::WriteSecretFile(RingPath(), "other", internal::WriteMode::kCreateNew, random_);
  EXPECT_EQ(status.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(ReadRing(), before);
  int files = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir_ / "keys")) {
    ++files;
  }
  EXPECT_EQ(files, 1);  // the temporary file is gone
}

TEST_F(KeyRingTest, ProcessesStartingAtOnceShareOneRing) {
  const std::string path = (dir_ / "race" / "data.keyring").string();
  constexpr int kThreads = 4;
  std::vector<std::unique_ptr<KeyRing>> rings(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      SeededRandom random(100 + i);  // each would create different keys
      auto ring = KeyRing::LoadOrCreate(path, random, clock_);
      if (ring.ok()) rings[i] = std::move(*ring);
    });
  }
  for (std::thread& t : threads) t.join();
  for (int i = 0; i < kThreads; ++i) {
    ASSERT_NE(rings[i], nullptr) << i;
    EXPECT_TRUE(*rings[i]->MasterKey(1) == *rings[0]->MasterKey(1)) << i;
  }
}

}  // namespace
}  // namespace banyan::privacy
