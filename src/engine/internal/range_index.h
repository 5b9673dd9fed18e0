// Range indexes over one chunk's numeric column (int64 values of up to kChunkCustomers
// customers): which customers have lo <= value <= hi, as bits of a chunk-local bitset.
//
// Two designs, both kept so range_index_benchmark.cc can compare them on the same data:
//   * SortedRangeIndex: (value, local index) sorted by value — two binary searches, then one
//     bit set per match. 10 bytes per customer; time grows with the number of matches.
//   * BitSlicedRangeIndex: the values minus the chunk's minimum, one bitset per binary digit,
//     stored word-major; a range is answered a 64-customer word at a time with the O'Neil–Quass
//     comparison over the slices. bits/8 bytes per customer (34 bits for AUM in fen); time is
//     fixed per chunk whatever the selectivity.
// The columns use SortedRangeIndex (`RangeIndex` below): on one chunk of log-normal AUM values
// it selected 0.1% of customers in 0.3 us against 74 us and 50% in 43 us against 98 us
// (range_index_benchmark.cc; docs/engine.md has the run). The bit-sliced index is smaller
// (4.25 against 10 bytes per customer for 34-bit values) and builds in half the time, but
// queries are what must be fast; its per-word walk over 34 slices costs more than scattering
// even half the chunk's indexes.
//
// Thread safety: built once by the writer, then read-only (shared by snapshots).

#ifndef BANYAN_ENGINE_INTERNAL_RANGE_INDEX_H_
#define BANYAN_ENGINE_INTERNAL_RANGE_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace banyan::engine::internal {

class SortedRangeIndex {
 public:
  // `values[i]` is customer i's value when bit i of `has` is set. REQUIRES: values.size() ==
  // 64 * has.size().
  void Build(std::span<const int64_t> values, std::span<const uint64_t> has);
  // ORs into `out` (has.size() words) the customers with lo <= value <= hi.
  void Select(int64_t lo, int64_t hi, uint64_t* out) const;
  size_t MemoryBytes() const;

 private:
  std::vector<int64_t> values_;    // ascending
  std::vector<uint16_t> indexes_;  // the customer of values_[k]
};

class BitSlicedRangeIndex {
 public:
  void Build(std::span<const int64_t> values, std::span<const uint64_t> has);
  void Select(int64_t lo, int64_t hi, uint64_t* out) const;
  size_t MemoryBytes() const;

 private:
  int64_t min_ = 0;
  int64_t max_ = -1;  // max_ < min_: no values
  int bits_ = 0;
  std::vector<uint64_t> has_;
  std::vector<uint64_t> slices_;  // slices_[word * bits_ + bit]
};

using RangeIndex = SortedRangeIndex;

}  // namespace banyan::engine::internal

#endif  // BANYAN_ENGINE_INTERNAL_RANGE_INDEX_H_
