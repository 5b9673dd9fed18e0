// Bitmap: a compressed set of uint32 customer indexes — our small wrapper over CRoaring.
//
// Every module that needs a set of customers (the engine's indexes, the segment evaluator, tags)
// uses this class; nothing of CRoaring appears here, so only bitmap.cc includes it.
// Serialize() writes the portable Roaring format (the one the Java and Go libraries read), so
// snapshot files stay readable by other tools.
//
// Thread safety: a value type. Const methods may run concurrently; mutation needs one owner.

#ifndef BANYAN_ENGINE_BITMAP_H_
#define BANYAN_ENGINE_BITMAP_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace banyan::engine {

class Bitmap {
 public:
  Bitmap();
  Bitmap(std::initializer_list<uint32_t> values);
  ~Bitmap();
  Bitmap(const Bitmap& other);
  Bitmap& operator=(const Bitmap& other);
  Bitmap(Bitmap&& other) noexcept;
  Bitmap& operator=(Bitmap&& other) noexcept;

  // [begin, end) as a bitmap.
  static Bitmap Range(uint64_t begin, uint64_t end);
  // The set bits of `words` (bit i of words[j] is value base + 64 * j + i).
  static Bitmap FromWords(uint32_t base, std::span<const uint64_t> words);

  void Add(uint32_t value);
  // REQUIRES: `values` sorted ascending (faster); unsorted works too.
  void AddMany(std::span<const uint32_t> values);
  void AddRange(uint64_t begin, uint64_t end);  // [begin, end)
  void Remove(uint32_t value);
  bool Contains(uint32_t value) const;
  uint64_t Cardinality() const;
  bool IsEmpty() const;
  void Clear();

  // In place.
  Bitmap& operator&=(const Bitmap& other);
  Bitmap& operator|=(const Bitmap& other);
  Bitmap& operator-=(const Bitmap& other);  // and-not
  Bitmap& operator^=(const Bitmap& other);
  // New bitmaps.
  friend Bitmap operator&(const Bitmap& a, const Bitmap& b);
  friend Bitmap operator|(const Bitmap& a, const Bitmap& b);
  friend Bitmap operator-(const Bitmap& a, const Bitmap& b);
  friend Bitmap operator^(const Bitmap& a, const Bitmap& b);
  bool operator==(const Bitmap& other) const;
  // |a & b| without building it.
  uint64_t AndCardinality(const Bitmap& other) const;
  // The union of many bitmaps at once (faster than repeated |=).
  static Bitmap Union(std::span<const Bitmap* const> inputs);

  // Calls `fn(value)` in ascending order until it returns false.
  void ForEach(const std::function<bool(uint32_t)>& fn) const;
  std::vector<uint32_t> ToVector() const;
  // Ascending values, at most `limit` of them, starting at the first value >= `from`.
  std::vector<uint32_t> Take(uint32_t from, size_t limit) const;

  // Converts runs to run containers where smaller; returns whether anything changed.
  bool RunOptimize();
  // Serialized size in the portable format: a close proxy for memory held.
  size_t SizeInBytes() const;
  std::string Serialize() const;
  // DataLoss when `bytes` is not one complete portable bitmap.
  static Result<Bitmap> Deserialize(std::string_view bytes);

 private:
  struct Impl;
  explicit Bitmap(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace banyan::engine

#endif  // BANYAN_ENGINE_BITMAP_H_
