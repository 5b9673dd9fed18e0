#include "identity/graph.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

#include "identity/testing/identity_fixture.h"
#include "privacy/sealer.h"

namespace banyan::identity {
namespace {

using events::Identifier;

class GraphTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const Status opened = world_.Open();
    ASSERT_TRUE(opened.ok()) << opened.ToString();
  }

  ResolveResult MustCall(std::vector<Identifier> ids) {
    Result<ResolveResult> r = world_.Call(std::move(ids), ++sequence_);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : ResolveResult{};
  }

  PersonId FindOne(const std::string& type, const std::string& value) {
    Result<std::vector<PersonId>> found = graph().Find(type, value);
    EXPECT_TRUE(found.ok()) << found.status().ToString();
    return found.ok() && found->size() == 1 ? (*found)[0] : 0;
  }

  // Every byte the store keeps: the database file and its write-ahead log.
  std::string StoreBytes() {
    std::string all;
    for (const char* name : {"banyan.db", "banyan.db-wal"}) {
      std::ifstream in(world_.dir() / name, std::ios::binary);
      std::stringstream buffer;
      buffer << in.rdbuf();
      all += buffer.str();
    }
    return all;
  }

  IdentityGraph& graph() { return world_.graph(); }

  testing::IdentityWorld world_;
  uint64_t sequence_ = 0;
};

TEST_F(GraphTest, FlushAndLoadGiveTheSameGraph) {
  MustCall({{"app_user_id", "u1"}, {"device_id", "d1"}, {"phone", "13800000001"}});
  MustCall({{"app_user_id", "u2"}, {"device_id", "d1"}});
  MustCall({{"anonymous_id", "a1"}});
  MustCall({{"anonymous_id", "a1"}, {"app_user_id", "u2"}});
  MustCall({{"cust_no", "C1"}, {"phone", "13800000001"}});
  MustCall({{"cust_no", "C2"}, {"app_user_id", "u2"}});
  MustCall({{"phone", "13800000001"}, {"app_user_id", "u2"}});  // a conflict
  const GraphStats before = graph().Stats();
  ASSERT_TRUE(world_.Reload(77).ok());
  const GraphStats after = graph().Stats();
  EXPECT_EQ(after.persons, before.persons);
  EXPECT_EQ(after.roots, before.roots);
  EXPECT_EQ(after.identifiers, before.identifiers);
  EXPECT_EQ(after.merges, before.merges);
  EXPECT_EQ(after.conflicts_open, 1);
  EXPECT_EQ(after.pending_changes, 0);
  EXPECT_EQ(graph().checkpoint(), 77u);
  EXPECT_EQ(*graph().Find("device_id", "d1"), (std::vector<PersonId>{2, 1}));
  EXPECT_EQ(graph().Members(FindOne("anonymous_id", "a1")), (std::vector<PersonId>{2, 3}));
  EXPECT_EQ(world_.CountRows("SELECT COUNT(*) FROM identifier"), before.identifiers);
  EXPECT_EQ(world_.CountRows("SELECT COUNT(*) FROM person"), before.persons);
  EXPECT_EQ(world_.CountRows("SELECT COUNT(*) FROM person_key"), before.persons);
  // New ids continue after the loaded ones.
  EXPECT_EQ(MustCall({{"app_user_id", "u3"}}).person, before.persons + 1);
}

TEST_F(GraphTest, TheStoreHoldsNoClearIdentifierValues) {
  MustCall({{"phone", "13912345678"},
            {"id_card", "11010519491231002X"},
            {"email", "zhang.san@example.cn"},
            {"cust_no", "CN-000123456"}});
  ASSERT_TRUE(world_.Flush(1).ok());
  const std::string bytes = StoreBytes();
  ASSERT_GT(bytes.size(), 0u);
  for (const char* clear :
       {"13912345678", "11010519491231002X", "zhang.san@example.cn", "CN-000123456"}) {
    EXPECT_EQ(bytes.find(clear), std::string::npos) << clear;
  }
  // ... yet they read back in the clear, through the person's key.
  std::vector<IdentifierRecord> records;
  ASSERT_TRUE(world_.db()
                  .Read([&](store::Transaction& tx) -> Status {
                    ASSIGN_OR_RETURN(records, graph().ReadIdentifiers(tx, graph().Members(1)));
                    return Status::Ok();
                  })
                  .ok());
  ASSERT_EQ(records.size(), 4u);
  std::set<std::string> values;
  for (const auto& r : records) values.insert(r.type + "=" + r.value);
  EXPECT_TRUE(values.contains("phone=13912345678"));
  EXPECT_TRUE(values.contains("id_card=11010519491231002X"));
}

TEST_F(GraphTest, ReadIdentifiersIncludesWhatIsNotFlushedYet) {
  MustCall({{"app_user_id", "u1"}});
  ASSERT_TRUE(world_.Flush().ok());
  MustCall({{"app_user_id", "u1"}, {"email", "a@b.cn"}});
  ASSERT_GT(graph().PendingChanges(), 0u);
  std::vector<IdentifierRecord> records;
  ASSERT_TRUE(world_.db()
                  .Read([&](store::Transaction& tx) -> Status {
                    ASSIGN_OR_RETURN(records, graph().ReadIdentifiers(tx, graph().Members(1)));
                    return Status::Ok();
                  })
                  .ok());
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].type, "app_user_id");
  EXPECT_EQ(records[1].type, "email");
  EXPECT_EQ(records[1].value, "a@b.cn");
  EXPECT_EQ(records[1].source, "event");
}

TEST_F(GraphTest, AnAbortedFlushKeepsTheChangesForTheNextOne) {
  MustCall({{"app_user_id", "u1"}, {"phone", "13800000001"}});
  const size_t pending = graph().PendingChanges();
  ASSERT_EQ(pending, 3u);  // a person and two identifiers
  const Status failed = world_.db().Write([&](store::Transaction& tx) -> Status {
    RETURN_IF_ERROR(graph().Flush(tx, 5));
    return UnavailableError("the caller's own write failed");
  });
  ASSERT_FALSE(failed.ok());
  graph().FlushAborted();
  EXPECT_EQ(graph().PendingChanges(), pending);
  EXPECT_EQ(world_.CountRows("SELECT COUNT(*) FROM person"), 0);
  ASSERT_TRUE(world_.Flush(5).ok());
  EXPECT_EQ(graph().PendingChanges(), 0u);
  EXPECT_EQ(world_.CountRows("SELECT COUNT(*) FROM identifier"), 2);
}

TEST_F(GraphTest, WritingTheSameChangesTwiceIsHarmless) {
  MustCall({{"app_user_id", "u1"}});
  MustCall({{"anonymous_id", "a1"}});
  MustCall({{"anonymous_id", "a1"}, {"app_user_id", "u1"}, {"email", "e@x.cn"}});
  // Committed, but the caller has not said so yet: the next flush writes everything again.
  ASSERT_TRUE(world_.db().Write([&](store::Transaction& tx) { return graph().Flush(tx, 1); }).ok());
  ASSERT_TRUE(world_.Flush(2).ok());
  EXPECT_EQ(world_.CountRows("SELECT COUNT(*) FROM person"), 2);
  EXPECT_EQ(world_.CountRows("SELECT COUNT(*) FROM identifier"), 3);
  EXPECT_EQ(world_.CountRows("SELECT COUNT(*) FROM identity_merge"), 1);
  EXPECT_EQ(world_.CountRows("SELECT COUNT(*) FROM person_key"), 2);
  EXPECT_EQ(world_.CountRows("SELECT next_sequence FROM identity_checkpoint"), 2);
}

// The ingestion writer and an import flush from different threads; one's commit must not count
// as the other's.
TEST_F(GraphTest, FlushesFromTwoThreadsEachMarkOnlyTheirOwnCopy) {
  MustCall({{"app_user_id", "u1"}});  // 2 changes
  ASSERT_TRUE(world_.db().Write([&](store::Transaction& tx) { return graph().Flush(tx, 1); }).ok());
  // Committed on this thread; before it says so, another thread flushes more and fails.
  MustCall({{"app_user_id", "u2"}});  // 2 more
  std::thread other([&] {
    const Status failed = world_.db().Write([&](store::Transaction& tx) -> Status {
      RETURN_IF_ERROR(graph().Flush(tx, 2));
      return UnavailableError("disk full");
    });
    EXPECT_FALSE(failed.ok());
    graph().FlushAborted();
  });
  other.join();
  graph().FlushCommitted();
  EXPECT_EQ(graph().PendingChanges(), 2u);  // u2's person and identifier are still queued
  ASSERT_TRUE(world_.Reload(2).ok());
  EXPECT_EQ(graph().Find("app_user_id", "u2")->size(), 1u);
  EXPECT_EQ(graph().checkpoint(), 2u);
}

// A flush may copy the queue just before an unmerge commits and write it just after; the merge
// it carries must not undo the unmerge.
TEST_F(GraphTest, AMergeWrittenAgainAfterItsUnmergeDoesNotTakeEffect) {
  const std::vector<internal::WriteOp> ops = {internal::NewPerson{1, 10},
                                              internal::NewPerson{2, 10},
                                              internal::NewMerge{1, 1, 2, 20, "{}"}};
  const internal::WriteContext context{world_.types(), world_.keys(), world_.random()};
  auto write = [&] {
    return world_.db().Write(
        [&](store::Transaction& tx) { return internal::WriteOps(tx, ops, context); });
  };
  ASSERT_TRUE(write().ok());
  EXPECT_EQ(world_.CountRows("SELECT merged_into FROM person WHERE id = 2"), 1);
  ASSERT_TRUE(world_.db()
                  .Write([](store::Transaction& tx) -> Status {
                    RETURN_IF_ERROR(
                        tx.Execute("UPDATE identity_merge SET undone_at = 30 WHERE id = 1"));
                    return tx.Execute("UPDATE person SET merged_into = NULL WHERE id = 2");
                  })
                  .ok());
  ASSERT_TRUE(write().ok());
  EXPECT_EQ(world_.CountRows("SELECT COUNT(*) FROM person WHERE merged_into IS NOT NULL"), 0);
  EXPECT_EQ(world_.CountRows("SELECT COUNT(*) FROM identity_merge"), 1);
}

TEST_F(GraphTest, PendingChangesAreBounded) {
  world_.options().pending_changes_max = 1000;
  ASSERT_TRUE(world_.LoadGraph().ok());
  Status status;
  int calls = 0;
  while (status.ok()) {
    Result<ResolveResult> r =
        world_.Call({{"app_user_id", "u" + std::to_string(calls)}}, ++sequence_);
    status = r.status();
    ++calls;
  }
  EXPECT_EQ(status.code(), StatusCode::kResourceExhausted) << status.ToString();
  EXPECT_LE(graph().PendingChanges(), 1000u);
  EXPECT_GT(graph().PendingChanges(), 1000u - 16);
  // Nothing of the refused call happened.
  EXPECT_TRUE(graph().Find("app_user_id", "u" + std::to_string(calls - 1))->empty());
  ASSERT_TRUE(world_.Flush().ok());
  EXPECT_EQ(graph().PendingChanges(), 0u);
  EXPECT_TRUE(world_.Call({{"app_user_id", "again"}}, ++sequence_).ok());
}

TEST_F(GraphTest, ACallWithNothingUsableIsNotFound) {
  Result<ResolveResult> r = world_.Call({{"phone", "12"}, {"shoe_size", "42"}});
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(graph().Stats().persons, 0);
  EXPECT_EQ(graph().PendingChanges(), 0u);
}

TEST_F(GraphTest, ReadsAnswerForAnyMemberAndRefuseBadInput) {
  MustCall({{"app_user_id", "u1"}});
  MustCall({{"anonymous_id", "a1"}});
  MustCall({{"anonymous_id", "a1"}, {"app_user_id", "u1"}});
  EXPECT_EQ(graph().Root(2), 1);
  EXPECT_EQ(graph().Members(2), (std::vector<PersonId>{1, 2}));
  EXPECT_FALSE(graph().Root(0).has_value());
  EXPECT_FALSE(graph().Root(99).has_value());
  EXPECT_TRUE(graph().Members(99).empty());
  EXPECT_EQ(graph().Find("phone", "12").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(graph().Find("nope", "x").status().field(), "type");
}

TEST_F(GraphTest, ASharedValueTakesABoundedNumberOfHolders) {
  for (size_t i = 0; i < kSharedHoldersMax + 5; ++i) {
    MustCall({{"app_user_id", "u" + std::to_string(i)}, {"device_id", "kiosk"}});
  }
  EXPECT_EQ(graph().Find("device_id", "kiosk")->size(), kSharedHoldersMax);
  EXPECT_EQ(graph().Stats().roots, static_cast<int64_t>(kSharedHoldersMax + 5));
}

TEST_F(GraphTest, ConflictsArePagedNewestFirstIncludingUnflushedOnes) {
  for (int i = 0; i < 3; ++i) {
    const std::string n = std::to_string(i);
    MustCall({{"cust_no", "A" + n}, {"phone", "1380000000" + n}});
    MustCall({{"cust_no", "B" + n}, {"email", n + "@x.cn"}});
    MustCall({{"phone", "1380000000" + n}, {"email", n + "@x.cn"}});
    if (i == 1) {
      ASSERT_TRUE(world_.Flush().ok());
    }
  }
  std::vector<ConflictRecord> page;
  auto list = [&](std::string_view status, int64_t before, int64_t limit) -> Status {
    return world_.db().Read([&](store::Transaction& tx) -> Status {
      ASSIGN_OR_RETURN(page, graph().ListConflicts(tx, status, before, limit));
      return Status::Ok();
    });
  };
  ASSERT_TRUE(list("", 0, 2).ok());
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0].id, 3);  // not flushed yet
  EXPECT_EQ(page[1].id, 2);
  EXPECT_EQ(page[0].identifier_type, "cust_no");
  EXPECT_EQ(page[0].status, "open");
  EXPECT_NE(page[0].evidence.find("\"via\":\"email\""), std::string::npos) << page[0].evidence;
  ASSERT_TRUE(list("open", 2, 10).ok());
  ASSERT_EQ(page.size(), 1u);
  EXPECT_EQ(page[0].id, 1);
  ASSERT_TRUE(list("kept_separate", 0, 10).ok());
  EXPECT_TRUE(page.empty());
  EXPECT_EQ(list("closed", 0, 10).field(), "status");
  EXPECT_EQ(list("", 0, 0).field(), "limit");
  EXPECT_EQ(list("", 0, kConflictsPageMax + 1).field(), "limit");
}

TEST_F(GraphTest, EraseRemovesRowsKeysAndEveryWayToFindThePerson) {
  MustCall({{"app_user_id", "u1"}, {"phone", "13800000001"}});
  MustCall({{"anonymous_id", "a1"}});
  MustCall({{"anonymous_id", "a1"}, {"app_user_id", "u1"}});
  ASSERT_TRUE(world_.Flush().ok());
  MustCall({{"app_user_id", "u1"}, {"email", "late@x.cn"}});  // still pending at erasure
  Result<ErasePlan> plan = graph().PlanErase(2);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->root(), 1);
  EXPECT_EQ(plan->members(), (std::vector<PersonId>{1, 2}));
  EXPECT_EQ(plan->identifiers().size(), 4u);
  EXPECT_EQ(graph().PlanErase(1).status().code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(world_.db()
                  .Write([&](store::Transaction& tx) { return graph().WriteErase(tx, *plan); })
                  .ok());
  graph().CommitErase(*plan);
  EXPECT_EQ(world_.CountRows("SELECT COUNT(*) FROM identifier"), 0);
  EXPECT_EQ(world_.CountRows("SELECT COUNT(*) FROM person_key"), 0);
  EXPECT_EQ(world_.CountRows("SELECT COUNT(*) FROM erased_identifier"), 4);
  EXPECT_EQ(world_.CountRows("SELECT COUNT(*) FROM person WHERE erased_at IS NOT NULL"), 2);
  EXPECT_FALSE(graph().Root(1).has_value());
  EXPECT_TRUE(graph().Members(2).empty());
  EXPECT_TRUE(graph().Find("email", "late@x.cn")->empty());
  EXPECT_TRUE(graph().IsErased("email", "LATE@x.cn"));
  EXPECT_EQ(graph().PlanErase(1).status().code(), StatusCode::kNotFound);
  // Nothing of theirs comes back with a flush or a reload.
  ASSERT_TRUE(world_.Reload().ok());
  EXPECT_EQ(world_.CountRows("SELECT COUNT(*) FROM identifier"), 0);
  EXPECT_TRUE(graph().Find("app_user_id", "u1")->empty());
  EXPECT_TRUE(graph().IsErased("phone", "13800000001"));
  EXPECT_EQ(graph().Stats().persons, 0);
  EXPECT_EQ(MustCall({{"phone", "13800000001"}}).person, 3);
}

TEST_F(GraphTest, AnAbandonedErasureLeavesThePersonAsItWas) {
  MustCall({{"app_user_id", "u1"}});
  {
    Result<ErasePlan> plan = graph().PlanErase(1);
    ASSERT_TRUE(plan.ok());
    // While planned, the person is out of reach: a call with its identifier makes a new one.
    EXPECT_EQ(MustCall({{"app_user_id", "u1"}, {"email", "e@x.cn"}}).person, 2);
  }  // dropped without WriteErase/CommitErase
  EXPECT_EQ(graph().Root(1), 1);
  EXPECT_EQ(graph().Find("app_user_id", "u1")->size(), 2u);
  // The next call bearing the identifier joins the two holders again.
  const ResolveResult healed = MustCall({{"app_user_id", "u1"}});
  EXPECT_EQ(healed.merge_ids.size(), 1u);
  EXPECT_EQ(*graph().Find("app_user_id", "u1"), std::vector<PersonId>{healed.person});
  EXPECT_EQ(graph().Members(1).size(), 2u);
  EXPECT_TRUE(graph().PlanErase(1).ok());
}

TEST_F(GraphTest, LoadRefusesAMergeCycle) {
  ASSERT_TRUE(world_.db()
                  .Write([](store::Transaction& tx) -> Status {
                    RETURN_IF_ERROR(tx.Execute(
                        "INSERT INTO person (id, created_at, updated_at) VALUES (1, 0, 0), "
                        "(2, 0, 0)"));
                    RETURN_IF_ERROR(tx.Execute("UPDATE person SET merged_into = 2 WHERE id = 1"));
                    return tx.Execute("UPDATE person SET merged_into = 1 WHERE id = 2");
                  })
                  .ok());
  const Status loaded = world_.LoadGraph();
  EXPECT_EQ(loaded.code(), StatusCode::kDataLoss) << loaded.ToString();
}

TEST_F(GraphTest, ReadersRunWhileOneWriterResolves) {
  constexpr int kCalls = 6000;
  std::atomic<bool> done{false};
  std::atomic<int64_t> reads{0};
  auto reader = [&] {
    while (!done.load()) {
      const GraphStats stats = graph().Stats();
      EXPECT_LE(stats.roots, stats.persons);
      Result<std::vector<PersonId>> found = graph().Find("device_id", "d7");
      if (found.ok() && !found->empty()) {
        const std::vector<PersonId> members = graph().Members((*found)[0]);
        EXPECT_FALSE(members.empty());
        EXPECT_EQ(graph().Root(members.back()), graph().Root(members.front()));
      }
      reads.fetch_add(1);
    }
  };
  std::vector<std::thread> readers;
  for (int i = 0; i < 2; ++i) readers.emplace_back(reader);
  for (int i = 0; i < kCalls; ++i) {
    const std::string n = std::to_string(i % 2000);
    std::vector<Identifier> ids = {{"anonymous_id", "a" + n}, {"device_id", "d" + n.substr(0, 1)}};
    if (i % 3 == 0) ids.push_back({"app_user_id", "u" + n});
    ASSERT_TRUE(world_.Call(ids, i).ok());
    if (i % 2000 == 1999) {
      ASSERT_TRUE(world_.Flush(i).ok());
    }
  }
  done = true;
  for (auto& t : readers) t.join();
  EXPECT_GT(reads.load(), 0);
  const GraphStats stats = graph().Stats();
  ASSERT_TRUE(world_.Reload().ok());
  EXPECT_EQ(graph().Stats().roots, stats.roots);
}

// Unmerges from another thread flush the queue in their own transactions while the writer
// resolves and flushes with the commit protocol; what is stored must still be the graph.
TEST_F(GraphTest, AdminOperationsRunWhileResolving) {
  constexpr int kCalls = 3000;
  std::atomic<bool> done{false};
  std::atomic<int> undone{0};
  std::thread admin([&] {
    int64_t next = 1;
    while (!done.load()) {
      Result<UnmergeResult> r = graph().Unmerge(world_.db(), next, 7);
      if (r.ok()) {
        undone.fetch_add(1);
        ++next;
      } else if (r.status().code() == StatusCode::kFailedPrecondition) {
        ++next;
      } else {
        EXPECT_EQ(r.status().code(), StatusCode::kNotFound) << r.status().ToString();
        std::this_thread::yield();  // not made yet
      }
    }
  });
  for (int i = 0; i < kCalls; ++i) {
    const std::string n = std::to_string(i / 3);
    std::vector<Identifier> ids = {{"anonymous_id", "a" + n}};
    if (i % 3 == 2) ids.push_back({"app_user_id", "u" + std::to_string(i / 6)});
    ASSERT_TRUE(world_.Call(ids, i).ok());
    if (i % 500 == 499) {
      ASSERT_TRUE(world_.Flush(i).ok());
    }
  }
  done = true;
  admin.join();
  EXPECT_GT(undone.load(), 0);
  ASSERT_TRUE(world_.Flush(kCalls).ok());
  const GraphStats before = graph().Stats();
  std::vector<std::vector<PersonId>> members_before;
  for (int u = 0; u < kCalls / 6; ++u) {
    std::vector<PersonId> members =
        graph().Members(FindOne("app_user_id", "u" + std::to_string(u)));
    std::sort(members.begin(), members.end());
    members_before.push_back(std::move(members));
  }
  ASSERT_TRUE(world_.LoadGraph().ok());
  const GraphStats after = graph().Stats();
  EXPECT_EQ(after.roots, before.roots);
  EXPECT_EQ(after.merges, before.merges);
  EXPECT_EQ(after.identifiers, before.identifiers);
  for (int u = 0; u < kCalls / 6; ++u) {
    EXPECT_EQ(graph().Members(FindOne("app_user_id", "u" + std::to_string(u))), members_before[u])
        << u;
  }
  EXPECT_EQ(world_.CountRows("SELECT COUNT(*) FROM identity_merge WHERE undone_at IS NOT NULL"),
            undone.load());
}

TEST_F(GraphTest, MemoryPerCustomerWithFourIdentifiers) {
  constexpr int kCustomers = 20000;
  for (int i = 0; i < kCustomers; ++i) {
    const std::string n = std::to_string(i);
    ASSERT_TRUE(world_
                    .Call({{"cust_no", "C" + n},
                           {"phone", std::to_string(13000000000LL + i)},
                           {"app_user_id", "u" + n},
                           {"device_id", "d" + n}},
                          i)
                    .ok());
    if (i % 10000 == 9999) {
      ASSERT_TRUE(world_.Flush(i).ok());
    }
  }
  ASSERT_TRUE(world_.Reload().ok());  // sized as Load sizes it
  const double per_customer = static_cast<double>(graph().MemoryBytes()) / kCustomers;
  RecordProperty("bytes_per_customer", std::to_string(per_customer));
  std::printf("identity memory: %.1f bytes per customer (4 identifiers)\n", per_customer);
  EXPECT_LT(per_customer, 200.0);
}

}  // namespace
}  // namespace banyan::identity
