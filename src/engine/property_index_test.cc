// The property-value index (internal/chunk.h, TypeChunk::by_property) against a walk of every
// sequence, on random data over two chunks: late events, merges across chunks, erasures, a
// property past kIndexedPropertyValuesMax, old snapshots read after later batches, and a
// snapshot file round trip (the loader rebuilds the index).

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <tuple>
#include <vector>

#include "base/random.h"
#include "engine/engine.h"
#include "engine/internal/property.h"
#include "engine/query.h"
#include "engine/snapshot_file.h"
#include "engine/testing/conditions.h"

namespace banyan::engine {
namespace {

constexpr int64_t kT0 = 1'700'000'000;
constexpr PersonId kPersons = 150'000;                // three chunks
constexpr int kProducts = 6;                          // listed in every chunk
constexpr int kSkus = 3 * kIndexedPropertyValuesMax;  // overflows every chunk

using Triple = std::tuple<uint32_t, uint32_t, uint32_t>;  // type, key, value ids

// (type, key, value) -> the live customers with such an event, by walking every sequence.
std::map<Triple, Bitmap> Walk(const Snapshot& snapshot) {
  std::map<Triple, std::vector<uint32_t>> found;
  snapshot.live().ForEach([&](uint32_t index) {
    const internal::SequenceView view = snapshot.Sequence(index);
    size_t offset = 0;
    for (uint32_t i = 0; i < view.count; ++i) {
      const uint8_t* cursor = view.properties + offset;
      const uint8_t* end = cursor + view.property_lengths[i];
      offset += view.property_lengths[i];
      while (cursor < end) {
        const internal::DecodedProperty property = internal::DecodeProperty(&cursor, end);
        if (!property.is_string) continue;
        std::vector<uint32_t>& holders =
            found[{view.types[i], property.key, static_cast<uint32_t>(property.value)}];
        if (holders.empty() || holders.back() != index) holders.push_back(index);
      }
    }
    return true;
  });
  std::map<Triple, Bitmap> out;
  for (auto& [triple, holders] : found) out[triple].AddMany(holders);
  return out;
}

std::string Name(const char* prefix, uint64_t i) { return prefix + std::to_string(i); }

class PropertyIndexTest : public ::testing::Test {
 protected:
  Batch RandomBatch(int events, int merges, int erasures) {
    Batch batch;
    for (int e = 0; e < events; ++e) {
      EventRecord event;
      event.person = 1 + static_cast<PersonId>(random_.Uniform(kPersons));
      // Mostly in order, some late (placed by time).
      event.time_seconds =
          clock_ + (random_.Uniform(10) == 0 ? -static_cast<int64_t>(random_.Uniform(100'000))
                                             : static_cast<int64_t>(random_.Uniform(100)));
      clock_ += 3;
      event.channel = static_cast<uint8_t>(random_.Uniform(5));
      switch (random_.Uniform(4)) {
        case 0:
          event.type = "login";
          break;
        case 1:
          event.type = "pay";
          event.properties = {{"product", Name("p", random_.Uniform(kProducts))}, {"amount", 12.5}};
          break;
        default:
          event.type = "view";
          event.properties = {{"product", Name("p", random_.Uniform(kProducts))},
                              {"sku", Name("s", random_.Uniform(kSkus))}};
          if (random_.Uniform(20) == 0) event.properties[0].value = 7.0;  // a number, not indexed
      }
      batch.events.push_back(std::move(event));
    }
    for (int m = 0; m < merges; ++m) {
      batch.merges.push_back({1 + static_cast<PersonId>(random_.Uniform(kPersons)),
                              1 + static_cast<PersonId>(random_.Uniform(kPersons))});
    }
    for (int x = 0; x < erasures; ++x) {
      batch.erasures.push_back(1 + static_cast<PersonId>(random_.Uniform(kPersons)));
    }
    return batch;
  }

  // Every (type, key, value): the index holds everyone the walk finds; for `product` (never
  // past the limit) exactly them among the live. Returns the index's answers for `product`.
  std::map<Triple, Bitmap> Check(const Snapshot& snapshot) {
    const internal::Catalog& catalog = snapshot.catalog();
    const std::map<Triple, Bitmap> walked = Walk(snapshot);
    const uint32_t product = *catalog.property_keys->Find("product");
    const uint32_t sku = *catalog.property_keys->Find("sku");
    std::map<Triple, Bitmap> answers;
    size_t narrowed = 0;
    for (const char* type : {"login", "pay", "view"}) {
      const uint32_t t = *catalog.event_types->Find(type);
      const Bitmap did = snapshot.EverDid(t) & snapshot.live();
      for (const uint32_t key : {product, sku}) {
        for (uint32_t value = 0; value < catalog.property_values->size(); ++value) {
          const Bitmap index = snapshot.EverDidWith(t, key, std::span<const uint32_t>(&value, 1));
          const auto found = walked.find({t, key, value});
          const Bitmap truth = found == walked.end() ? Bitmap() : found->second;
          EXPECT_TRUE((truth - index).IsEmpty()) << type << " key " << key << " value " << value;
          EXPECT_TRUE(((index & snapshot.live()) - did).IsEmpty());
          if (key == product) {
            EXPECT_EQ(index & snapshot.live(), truth) << type << " value " << value;
            if (!truth.IsEmpty()) answers[{t, key, value}] = truth;
          }
          if ((index & snapshot.live()).Cardinality() < did.Cardinality()) ++narrowed;
        }
      }
    }
    EXPECT_GT(narrowed, 0u);  // the index does narrow
    // The behaviour primitives read the index; their answers are the walk's.
    for (uint32_t p = 0; p < kProducts; ++p) {
      const std::string value = Name("p", p);
      const auto id = catalog.property_values->Find(value);
      if (!id) continue;
      const EventCondition on =
          testing::On("view", kEpochBaseSeconds, {{"product", Compare::kEq, value}});
      const auto found = walked.find({*catalog.event_types->Find("view"), product, *id});
      const Bitmap truth = found == walked.end() ? Bitmap() : found->second;
      EXPECT_EQ(CountEvents(snapshot, snapshot.live(), on, Compare::kGe, 1).value(), truth);
      EXPECT_EQ(CountEvents(snapshot, snapshot.live(), on, Compare::kEq, 0).value(),
                snapshot.live() - truth);
    }
    return answers;
  }

  SeededRandom random_{20261123};
  int64_t clock_ = kT0;
};

TEST_F(PropertyIndexTest, HoldsEveryoneTheWalkFindsThroughMergesErasuresAndOldSnapshots) {
  Engine engine(std::vector<AttributeSpec>{});
  std::vector<std::pair<std::shared_ptr<const Snapshot>, std::map<Triple, Bitmap>>> kept;
  for (int b = 0; b < 5; ++b) {
    ASSERT_TRUE(
        engine.Apply(RandomBatch(b == 0 ? 150'000 : 40'000, b == 0 ? 0 : 2'000, b == 0 ? 0 : 200))
            .ok());
    if (b == 3) engine.Compact();
    std::shared_ptr<const Snapshot> snapshot = engine.snapshot();
    ASSERT_EQ(snapshot->chunk_count(), 2u);
    kept.emplace_back(snapshot, Check(*snapshot));
  }
  // Old snapshots read the index as it was: the same answers after later batches.
  for (const auto& [snapshot, answers] : kept) EXPECT_EQ(Check(*snapshot), answers);

  // A snapshot file holds no index: loading rebuilds it.
  Result<std::shared_ptr<const Snapshot>> loaded =
      DecodeSnapshot(EncodeSnapshot(*engine.snapshot()));
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(Check(**loaded), kept.back().second);
}

TEST(PropertyIndex, PastTheLimitAChunkAnswersWhoDidTheTypeForValuesItDoesNotList) {
  Engine engine(std::vector<AttributeSpec>{});
  Batch batch;
  for (size_t v = 0; v <= kIndexedPropertyValuesMax; ++v) {
    batch.events.push_back({static_cast<PersonId>(v + 1), kT0, "view", 0, {{"sku", Name("s", v)}}});
  }
  batch.events.push_back({1000, kT0, "view", 0, {}});
  ASSERT_TRUE(engine.Apply(batch).ok());
  const auto snapshot = engine.snapshot();
  const internal::Catalog& catalog = snapshot->catalog();
  const uint32_t view = *catalog.event_types->Find("view");
  const uint32_t sku = *catalog.property_keys->Find("sku");
  const uint32_t first = *catalog.property_values->Find("s0");
  const uint32_t last = *catalog.property_values->Find(Name("s", kIndexedPropertyValuesMax));
  // Listed: its holder only. Past the limit: everyone who viewed.
  EXPECT_EQ(snapshot->EverDidWith(view, sku, std::span<const uint32_t>(&first, 1)),
            Bitmap({*engine.Find(1)}));
  EXPECT_EQ(snapshot->EverDidWith(view, sku, std::span<const uint32_t>(&last, 1)),
            snapshot->EverDid(view));
  const uint32_t both[] = {first, last};
  EXPECT_EQ(snapshot->EverDidWith(view, sku, both), snapshot->EverDid(view));
  EXPECT_GT(snapshot->Memory().property_index_bytes, 0u);
}

}  // namespace
}  // namespace banyan::engine
