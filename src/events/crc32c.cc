#include "events/crc32c.h"

#include <array>
#include <cstring>

#include "base/check.h"

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace banyan::events {
namespace internal {
namespace {

constexpr uint32_t kReflectedPolynomial = 0x82F63B78;

// kTables[0] is the classic byte-at-a-time table; kTables[k][b] is the CRC contribution of byte
// `b` followed by k zero bytes, which lets the portable path consume eight bytes per step.
using Tables = std::array<std::array<uint32_t, 256>, 8>;

constexpr Tables MakeTables() {
  Tables tables{};
  for (uint32_t b = 0; b < 256; ++b) {
    uint32_t crc = b;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1) ? kReflectedPolynomial : 0);
    tables[0][b] = crc;
  }
  for (size_t k = 1; k < tables.size(); ++k) {
    for (uint32_t b = 0; b < 256; ++b) {
      const uint32_t previous = tables[k - 1][b];
      tables[k][b] = (previous >> 8) ^ tables[0][previous & 0xFF];
    }
  }
  return tables;
}

constexpr Tables kTables = MakeTables();

uint64_t LoadLittleEndian64(const uint8_t* p) {
  uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | p[i];
  return value;
}

}  // namespace

uint32_t Crc32cExtendPortable(uint32_t crc, const uint8_t* data, size_t size) {
  uint32_t state = ~crc;
  while (size >= 8) {
    const uint64_t word = LoadLittleEndian64(data) ^ state;
    state = kTables[7][word & 0xFF] ^ kTables[6][(word >> 8) & 0xFF] ^
            kTables[5][(word >> 16) & 0xFF] ^ kTables[4][(word >> 24) & 0xFF] ^
            kTables[3][(word >> 32) & 0xFF] ^ kTables[2][(word >> 40) & 0xFF] ^
            kTables[1][(word >> 48) & 0xFF] ^ kTables[0][word >> 56];
    data += 8;
    size -= 8;
  }
  while (size > 0) {
    state = (state >> 8) ^ kTables[0][(state ^ *data) & 0xFF];
    ++data;
    --size;
  }
  return ~state;
}

#if defined(__x86_64__)

__attribute__((target("sse4.2"))) uint32_t Crc32cExtendHardware(uint32_t crc, const uint8_t* data,
                                                                size_t size) {
  uint64_t state = ~crc;
  while (size >= 8) {
    uint64_t word;
    std::memcpy(&word, data, sizeof(word));  // x86 is little-endian and loads unaligned freely
    state = _mm_crc32_u64(state, word);
    data += 8;
    size -= 8;
  }
  uint32_t narrow = static_cast<uint32_t>(state);
  while (size > 0) {
    narrow = _mm_crc32_u8(narrow, *data);
    ++data;
    --size;
  }
  return ~narrow;
}

bool Crc32cHardwareAvailable() {
  static const bool kAvailable = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse4.2") != 0;
  }();
  return kAvailable;
}

#else

uint32_t Crc32cExtendHardware(uint32_t, const uint8_t*, size_t) {
  CHECK(false, "CRC32C hardware path called on a CPU without it");
}

bool Crc32cHardwareAvailable() { return false; }

#endif

}  // namespace internal

uint32_t Crc32cExtend(uint32_t crc, std::span<const uint8_t> data) {
  using Implementation = uint32_t (*)(uint32_t, const uint8_t*, size_t);
  static const Implementation kImplementation = internal::Crc32cHardwareAvailable()
                                                    ? &internal::Crc32cExtendHardware
                                                    : &internal::Crc32cExtendPortable;
  return kImplementation(crc, data.data(), data.size());
}

}  // namespace banyan::events
