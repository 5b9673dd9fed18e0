#include "events/crc32c.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/random.h"

namespace banyan::events {
namespace {

const uint8_t* Bytes(std::string_view s) { return reinterpret_cast<const uint8_t*>(s.data()); }

TEST(Crc32c, MatchesKnownVector) {
  EXPECT_EQ(Crc32c(std::string_view("123456789")), 0xE3069283u);
  EXPECT_EQ(internal::Crc32cExtendPortable(0, Bytes("123456789"), 9), 0xE3069283u);
}

TEST(Crc32c, MatchesRfc3720Vectors) {
  // RFC 3720 appendix B.4: 32 bytes of zeros, of 0xFF, and ascending 0..31.
  const std::string zeros(32, '\0');
  const std::string ones(32, '\xFF');
  std::string ascending;
  for (int i = 0; i < 32; ++i) ascending.push_back(static_cast<char>(i));
  EXPECT_EQ(Crc32c(zeros), 0x8A9136AAu);
  EXPECT_EQ(Crc32c(ones), 0x62A8AB43u);
  EXPECT_EQ(Crc32c(ascending), 0x46DD794Eu);
}

TEST(Crc32c, EmptyInputIsZero) { EXPECT_EQ(Crc32c(std::string_view()), 0u); }

TEST(Crc32c, ExtendEqualsWholeAtEverySplit) {
  const std::string text = "The quick brown fox jumps over the lazy dog, twice over.";
  const uint32_t whole = Crc32c(text);
  for (size_t split = 0; split <= text.size(); ++split) {
    const std::string_view head(text.data(), split);
    const std::string_view tail(text.data() + split, text.size() - split);
    EXPECT_EQ(Crc32cExtend(Crc32c(head), {Bytes(tail), tail.size()}), whole) << split;
  }
}

TEST(Crc32c, HardwareAndPortableAgreeOnRandomData) {
  if (!internal::Crc32cHardwareAvailable()) GTEST_SKIP() << "CPU lacks SSE4.2";
  SeededRandom random(42);
  std::vector<uint8_t> data(4096 + 7);
  random.Fill(data);
  // Every start alignment and many lengths, so both the 8-byte loop and the tail are covered.
  for (size_t start = 0; start < 8; ++start) {
    for (size_t size = 0; size + start <= data.size(); size += 1 + size / 3) {
      const uint32_t seed = static_cast<uint32_t>(random.Next64());
      EXPECT_EQ(internal::Crc32cExtendHardware(seed, data.data() + start, size),
                internal::Crc32cExtendPortable(seed, data.data() + start, size))
          << "start " << start << " size " << size;
    }
  }
}

}  // namespace
}  // namespace banyan::events
