#include "engine/bitmap.h"

#include <gtest/gtest.h>

namespace banyan::engine {
namespace {

TEST(Bitmap, SetOperationsMatchTheirDefinitions) {
  Bitmap a{1, 2, 3, 100000};
  Bitmap b{2, 3, 4};
  EXPECT_EQ((a & b).ToVector(), (std::vector<uint32_t>{2, 3}));
  EXPECT_EQ((a | b).ToVector(), (std::vector<uint32_t>{1, 2, 3, 4, 100000}));
  EXPECT_EQ((a - b).ToVector(), (std::vector<uint32_t>{1, 100000}));
  EXPECT_EQ((a ^ b).ToVector(), (std::vector<uint32_t>{1, 4, 100000}));
  EXPECT_EQ(a.AndCardinality(b), 2u);
  Bitmap c = a;
  c -= b;
  c |= Bitmap{7};
  EXPECT_EQ(c.ToVector(), (std::vector<uint32_t>{1, 7, 100000}));
  EXPECT_EQ(a.Cardinality(), 4u);  // the copy was deep
}

TEST(Bitmap, AddRemoveContainsAndIteration) {
  Bitmap bitmap;
  bitmap.AddRange(10, 20);
  bitmap.Remove(15);
  EXPECT_TRUE(bitmap.Contains(10));
  EXPECT_FALSE(bitmap.Contains(15));
  EXPECT_FALSE(bitmap.Contains(20));
  EXPECT_EQ(bitmap.Cardinality(), 9u);
  std::vector<uint32_t> seen;
  bitmap.ForEach([&](uint32_t v) {
    seen.push_back(v);
    return seen.size() < 3;
  });
  EXPECT_EQ(seen, (std::vector<uint32_t>{10, 11, 12}));
  EXPECT_EQ(bitmap.Take(14, 2), (std::vector<uint32_t>{14, 16}));
}

TEST(Bitmap, FromWordsPlacesBitsAtTheBase) {
  std::vector<uint64_t> words(1024, 0);
  words[0] = 0b101;
  words[1023] = uint64_t{1} << 63;
  EXPECT_EQ(Bitmap::FromWords(65536, words).ToVector(),
            (std::vector<uint32_t>{65536, 65538, 65536 + 65535}));
}

TEST(Bitmap, SerializeRoundTripsAndRejectsGarbage) {
  Bitmap bitmap = Bitmap::Range(0, 100000);
  bitmap.Add(5'000'000);
  EXPECT_TRUE(bitmap.RunOptimize());
  std::string bytes = bitmap.Serialize();
  EXPECT_EQ(bytes.size(), bitmap.SizeInBytes());
  Result<Bitmap> back = Bitmap::Deserialize(bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, bitmap);
  EXPECT_FALSE(Bitmap::Deserialize(bytes.substr(0, bytes.size() - 1)).ok());
  EXPECT_FALSE(Bitmap::Deserialize("garbage!").ok());
  EXPECT_FALSE(Bitmap::Deserialize(bytes + "x").ok());
}

TEST(Bitmap, UnionOfMany) {
  Bitmap a{1}, b{70000}, c{1, 2};
  const Bitmap* inputs[] = {&a, &b, &c};
  EXPECT_EQ(Bitmap::Union(inputs).ToVector(), (std::vector<uint32_t>{1, 2, 70000}));
}

}  // namespace
}  // namespace banyan::engine
