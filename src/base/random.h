// Random: the source of randomness, injected so tests and the demo generator are reproducible.
//
// SecureRandom draws from the operating system (libsodium) and is the only source allowed for
// secrets: session tokens, keys, salts. SeededRandom is a fast deterministic generator
// (xoshiro256**) for simulations and demo data; never use it for secrets.
// Thread safety: SecureRandom is safe from any thread; SeededRandom is not (one per thread).

#ifndef BANYAN_BASE_RANDOM_H_
#define BANYAN_BASE_RANDOM_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace banyan {

class Random {
 public:
  virtual ~Random() = default;
  virtual void Fill(std::span<uint8_t> out) = 0;
  virtual uint64_t Next64();
  // Uniform in [0, bound). REQUIRES: bound > 0.
  uint64_t Uniform(uint64_t bound);
  // Uniform in [0, 1).
  double UniformDouble();
};

class SecureRandom final : public Random {
 public:
  void Fill(std::span<uint8_t> out) override;
  static SecureRandom& Get();  // process-wide; lives forever
};

class SeededRandom final : public Random {
 public:
  explicit SeededRandom(uint64_t seed);
  void Fill(std::span<uint8_t> out) override;
  uint64_t Next64() override;

 private:
  std::array<uint64_t, 4> state_;
};

}  // namespace banyan

#endif  // BANYAN_BASE_RANDOM_H_
