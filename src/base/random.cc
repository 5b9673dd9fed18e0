#include "base/random.h"

#include <sodium.h>

#include <cstring>

#include "base/check.h"

namespace banyan {

uint64_t Random::Next64() {
  uint64_t value;
  Fill(std::span<uint8_t>(reinterpret_cast<uint8_t*>(&value), sizeof(value)));
  return value;
}

uint64_t Random::Uniform(uint64_t bound) {
  CHECK(bound > 0);
  // Rejection sampling removes the modulo bias.
  const uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
  for (;;) {
    const uint64_t x = Next64();
    if (x < limit) return x % bound;
  }
}

double Random::UniformDouble() { return static_cast<double>(Next64() >> 11) * 0x1.0p-53; }

void SecureRandom::Fill(std::span<uint8_t> out) { randombytes_buf(out.data(), out.size()); }

SecureRandom& SecureRandom::Get() {
  static SecureRandom* const kRandom = [] {
    CHECK(sodium_init() >= 0, "libsodium failed to initialise");
    return new SecureRandom();
  }();
  return *kRandom;
}

namespace {
uint64_t SplitMix64(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
}  // namespace

SeededRandom::SeededRandom(uint64_t seed) {
  for (auto& word : state_) word = SplitMix64(seed);
}

uint64_t SeededRandom::Next64() {
  const uint64_t result = Rotl(state_[1] * 5, 7) * 9;
  const uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = Rotl(state_[3], 45);
  return result;
}

void SeededRandom::Fill(std::span<uint8_t> out) {
  size_t i = 0;
  while (i < out.size()) {
    const uint64_t word = Next64();
    const size_t n = std::min(sizeof(word), out.size() - i);
    std::memcpy(out.data() + i, &word, n);
    i += n;
  }
}

}  // namespace banyan
