#include "privacy/person_keys.h"

#include <gtest/gtest.h>

#include <vector>

#include "privacy/testing/privacy_fixture.h"

namespace banyan::privacy {
namespace {

class PersonKeysTest : public testing::PrivacyFixture {
 protected:
  Result<DataKey> Create(int64_t person_id) {
    return InWrite([&](store::Transaction& tx) { return keys_->Create(tx, person_id); });
  }
  Result<DataKey> Get(int64_t person_id) {
    return InWrite([&](store::Transaction& tx) { return keys_->Get(tx, person_id); });
  }
  Result<DataKey> GetOrCreate(int64_t person_id) {
    return InWrite([&](store::Transaction& tx) { return keys_->GetOrCreate(tx, person_id); });
  }
  Status Shred(int64_t person_id) {
    return db_->Write([&](store::Transaction& tx) { return keys_->Shred(tx, person_id); });
  }
  Result<DataKey> InWrite(const std::function<Result<DataKey>(store::Transaction&)>& body) {
    std::optional<DataKey> key;
    RETURN_IF_ERROR(db_->Write([&](store::Transaction& tx) -> Status {
      ASSIGN_OR_RETURN(DataKey k, body(tx));
      key = k;
      return Status::Ok();
    }));
    return *key;
  }
  std::vector<DataKey> CreateMany(int64_t n) {
    std::vector<DataKey> out;
    for (int64_t id = 1; id <= n; ++id) {
      Result<DataKey> key = Create(id);
      EXPECT_TRUE(key.ok()) << key.status().ToString();
      out.push_back(*key);
    }
    return out;
  }
  void ExpectKeysOpen(const std::vector<DataKey>& expected) {
    for (size_t i = 0; i < expected.size(); ++i) {
      Result<DataKey> key = Get(static_cast<int64_t>(i + 1));
      ASSERT_TRUE(key.ok()) << key.status().ToString();
      EXPECT_TRUE(*key == expected[i]) << "person " << i + 1;
    }
  }
};

TEST_F(PersonKeysTest, CreateStoresAWrappedKeyThatGetReturns) {
  Result<DataKey> created = Create(7);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  Result<DataKey> got = Get(7);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(*got == *created);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM person_key WHERE person_id = 7 AND key_version = 1 "
                      "AND length(wrapped) = 73 AND created_at = " +
                      std::to_string(testing::kStartMicros)),
            1);
  // A restarted server (ring loaded from disk) opens the same key.
  OpenRing();
  got = Get(7);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(*got == *created);
}

TEST_F(PersonKeysTest, EveryPersonGetsADifferentKey) {
  const std::vector<DataKey> keys = CreateMany(3);
  EXPECT_FALSE(keys[0] == keys[1]);
  EXPECT_FALSE(keys[1] == keys[2]);
}

TEST_F(PersonKeysTest, CreateTwiceIsAlreadyExists) {
  ASSERT_TRUE(Create(1).ok());
  Result<DataKey> again = Create(1);
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(again.status().message(), "person 1 already has a data key");
}

TEST_F(PersonKeysTest, CreateRefusesNonPositiveIds) {
  for (int64_t id : {0, -1}) {
    Result<DataKey> key = Create(id);
    EXPECT_EQ(key.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(key.status().field(), "person_id");
  }
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM person_key"), 0);
}

TEST_F(PersonKeysTest, GetOfUnknownPersonIsNotFound) {
  Result<DataKey> key = Get(99);
  EXPECT_EQ(key.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(key.status().message(), "person 99 has no data key");
}

TEST_F(PersonKeysTest, GetOrCreateCreatesOnceThenReturnsTheSameKey) {
  Result<DataKey> first = GetOrCreate(5);
  ASSERT_TRUE(first.ok());
  Result<DataKey> second = GetOrCreate(5);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(*first == *second);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM person_key"), 1);
}

TEST_F(PersonKeysTest, ShredMakesSealedValuesUnrecoverable) {
  const DataKey key = *Create(3);
  const std::string sealed = Seal(key, "13812341234", "identifier/3/phone", random_);
  ASSERT_TRUE(Shred(3).ok());
  EXPECT_EQ(Get(3).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(Shred(3).ok());  // erasure may be re-run
  // A new key for the same id does not open the old values.
  const DataKey fresh = *GetOrCreate(3);
  EXPECT_EQ(Open(fresh, sealed, "identifier/3/phone").status().code(), StatusCode::kDataLoss);
}

TEST_F(PersonKeysTest, AWrappedKeyCopiedToAnotherPersonDoesNotUnwrap) {
  ASSERT_TRUE(Create(1).ok());
  ASSERT_TRUE(Create(2).ok());
  ASSERT_TRUE(db_->Write([](store::Transaction& tx) {
                   return tx.Execute(
                       "UPDATE person_key SET wrapped = "
                       "(SELECT wrapped FROM person_key WHERE person_id = 1) WHERE person_id = 2");
                 })
                  .ok());
  EXPECT_EQ(Get(2).status().code(), StatusCode::kDataLoss);
}

TEST_F(PersonKeysTest, RotationRewrapsAndOldVersionsOpenUntilRetired) {
  const std::vector<DataKey> keys = CreateMany(25);
  ASSERT_TRUE(ring_->AddVersion(random_).ok());
  // Before the rewrap, keys under version 1 still open, and new keys go under version 2.
  ExpectKeysOpen(keys);
  ASSERT_TRUE(Create(26).ok());
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM person_key WHERE key_version = 2"), 1);

  Result<int64_t> rewrapped = keys_->RewrapAll(*db_, /*batch_rows=*/4);
  ASSERT_TRUE(rewrapped.ok()) << rewrapped.status().ToString();
  EXPECT_EQ(*rewrapped, 25);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM person_key WHERE key_version = 2"), 26);
  ExpectKeysOpen(keys);  // the data keys themselves are unchanged
  EXPECT_EQ(*keys_->RewrapAll(*db_), 0);

  ASSERT_TRUE(ring_->RetireOldVersions().ok());
  OpenRing();
  EXPECT_EQ(ring_->versions(), std::vector<uint32_t>{2});
  ExpectKeysOpen(keys);
}

TEST_F(PersonKeysTest, KeyUnderARetiredVersionIsFailedPrecondition) {
  ASSERT_TRUE(Create(1).ok());
  ASSERT_TRUE(ring_->AddVersion(random_).ok());
  ASSERT_TRUE(ring_->RetireOldVersions().ok());  // wrongly, before RewrapAll
  Result<DataKey> key = Get(1);
  EXPECT_EQ(key.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(key.status().message().find("master key 1"), std::string::npos);
  EXPECT_FALSE(keys_->RewrapAll(*db_).ok());
}

TEST_F(PersonKeysTest, RotateMasterKeyRunsTheWholeProcedure) {
  const std::vector<DataKey> keys = CreateMany(10);
  Result<RotationReport> report = RotateMasterKey(*ring_, *keys_, *db_, random_);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->old_version, 1u);
  EXPECT_EQ(report->new_version, 2u);
  EXPECT_EQ(report->keys_rewrapped, 10);
  OpenRing();
  EXPECT_EQ(ring_->versions(), std::vector<uint32_t>{2});
  ExpectKeysOpen(keys);
}

TEST_F(PersonKeysTest, RotationRerunAfterACrashFinishesWithoutAddingAVersion) {
  const std::vector<DataKey> keys = CreateMany(10);
  // The crash: AddVersion reached the disk, RewrapAll did not run (or ran part way).
  ASSERT_TRUE(ring_->AddVersion(random_).ok());
  ASSERT_TRUE(
      db_->Write([&](store::Transaction& tx) -> Status {
           // Rewrap three by hand, as a first batch that committed would have.
           const auto [version, master] = ring_->CurrentMasterKey();
           for (int64_t id = 1; id <= 3; ++id) {
             ASSIGN_OR_RETURN(DataKey key, keys_->Get(tx, id));
             const std::string bytes(reinterpret_cast<const char*>(key.data()), 32);
             RETURN_IF_ERROR(tx.Execute(
                 "UPDATE person_key SET key_version = ?, wrapped = ? WHERE person_id = ?",
                 {int64_t{version},
                  store::Blob{Seal(master, bytes, PersonKeyAssociatedData(id, version), random_)},
                  id}));
           }
           return Status::Ok();
         })
          .ok());
  OpenRing();  // the restarted command

  Result<RotationReport> report = RotateMasterKey(*ring_, *keys_, *db_, random_);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->old_version, 1u);
  EXPECT_EQ(report->new_version, 2u);
  EXPECT_EQ(report->keys_rewrapped, 7);
  EXPECT_EQ(ring_->versions(), std::vector<uint32_t>{2});
  ExpectKeysOpen(keys);
}

TEST_F(PersonKeysTest, RewrapBatchRowsIsBounded) {
  Result<int64_t> zero = keys_->RewrapAll(*db_, 0);
  EXPECT_EQ(zero.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(zero.status().field(), "batch_rows");
  EXPECT_EQ(keys_->RewrapAll(*db_, kRewrapBatchRowsMax + 1).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace banyan::privacy
