#include "profile/update.h"

#include <gtest/gtest.h>

#include <map>

namespace banyan::profile {
namespace {

using events::EventType;

const Timestamp kAt = FromUnixMicros(1767225600LL * 1000000);

// name -> dumped value of each update.
std::map<std::string, std::string> Mapped(EventType type, std::string_view traits) {
  std::map<std::string, std::string> out;
  for (const AttributeUpdate& u : UpdatesFromTraits(type, traits, kAt, "segment")) {
    EXPECT_EQ(u.at, kAt);
    EXPECT_EQ(u.source, "segment");
    out[u.name] = u.value.dump();
  }
  return out;
}

TEST(UpdatesFromTraits, MapsSegmentConventionalNames) {
  const auto mapped = Mapped(EventType::kIdentify,
                             R"({"firstName":"伟","lastName":"张","birthday":"1990-05-17",)"
                             R"("gender":"男","address":{"city":"杭州","street":"文三路90号"},)"
                             R"("title":"教师","phone":"13812341234","email":"a@b.cn",)"
                             R"("age":35,"risk_level":"R3","plan":"gold"})");
  EXPECT_EQ(mapped, (std::map<std::string, std::string>{{"name", "\"张伟\""},
                                                        {"birth_date", "\"1990-05-17\""},
                                                        {"gender", "\"male\""},
                                                        {"city", "\"杭州\""},
                                                        {"address", "\"文三路90号\""},
                                                        {"occupation", "\"教师\""},
                                                        {"risk_level", "\"R3\""},
                                                        {"plan", "\"gold\""}}));
}

TEST(UpdatesFromTraits, LatinNamesJoinWithASpaceAndAnExplicitNameWins) {
  EXPECT_EQ(Mapped(EventType::kIdentify, R"({"firstName":"John","lastName":"Smith"})"),
            (std::map<std::string, std::string>{{"name", "\"John Smith\""}}));
  EXPECT_EQ(Mapped(EventType::kIdentify, R"({"firstName":"John","name":"J. Smith"})"),
            (std::map<std::string, std::string>{{"name", "\"J. Smith\""}}));
  EXPECT_EQ(Mapped(EventType::kIdentify, R"({"$name":"李娜","$city":"上海","address":"某路1号"})"),
            (std::map<std::string, std::string>{
                {"name", "\"李娜\""}, {"city", "\"上海\""}, {"address", "\"某路1号\""}}));
}

TEST(UpdatesFromTraits, SensorsProfileRecordsMapToTheirOps) {
  const auto op_of = [](EventType type) {
    auto updates = UpdatesFromTraits(type, R"({"products":["fund"]})", kAt, "sensors");
    EXPECT_EQ(updates.size(), 1u);
    return updates.empty() ? UpdateOp::kSet : updates[0].op;
  };
  EXPECT_EQ(op_of(EventType::kIdentify), UpdateOp::kSet);
  EXPECT_EQ(op_of(EventType::kProfileSetOnce), UpdateOp::kSetOnce);
  EXPECT_EQ(op_of(EventType::kProfileIncrement), UpdateOp::kIncrement);
  EXPECT_EQ(op_of(EventType::kProfileAppend), UpdateOp::kAppend);
  EXPECT_EQ(op_of(EventType::kProfileUnset), UpdateOp::kUnset);
  EXPECT_TRUE(UpdatesFromTraits(EventType::kTrack, R"({"city":"x"})", kAt, "s").empty());
  EXPECT_TRUE(UpdatesFromTraits(EventType::kIdentify, "[1]", kAt, "s").empty());
  EXPECT_TRUE(UpdatesFromTraits(EventType::kIdentify, "{bad", kAt, "s").empty());
}

TEST(Prepare, ChecksNameOpAndValue) {
  AttributeSchema schema;
  // No scope attribute is involved, so the resolver never touches its transaction.
  class NoTransaction final : public store::Transaction {
   public:
    Status Execute(std::string_view, const std::vector<store::Value>&) override {
      return InternalError("unexpected");
    }
    Status Query(std::string_view, const std::vector<store::Value>&,
                 const std::function<Status(const store::Row&)>&, int64_t) override {
      return InternalError("unexpected");
    }
    int64_t LastInsertId() const override { return 0; }
    int64_t Changes() const override { return 0; }
  } tx;
  ScopeResolver scopes(tx);
  const auto prepare = [&](std::string name, UpdateOp op, Json value) {
    return Prepare(schema, AttributeUpdate{std::move(name), op, std::move(value), kAt, "api"},
                   scopes);
  };
  Result<PreparedUpdate> ok = prepare("aum", UpdateOp::kIncrement, 12.5);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->value, "\"12.5\"");
  EXPECT_EQ(ok->at_us, ToUnixMicros(kAt));
  EXPECT_EQ(prepare("nope", UpdateOp::kSet, 1).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(prepare("city", UpdateOp::kIncrement, 1).status().message(),
            "city: increment does not apply to a string attribute");
  EXPECT_EQ(prepare("aum", UpdateOp::kAppend, "x").status().message(),
            "aum: append does not apply to a decimal attribute");
  EXPECT_EQ(prepare("age", UpdateOp::kSet, 3).status().message(),
            "age: derived; it cannot be written");
  EXPECT_TRUE(prepare("city", UpdateOp::kUnset, nullptr).ok());
}

}  // namespace
}  // namespace banyan::profile
