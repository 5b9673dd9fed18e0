#include "engine/internal/range_index.h"

#include <algorithm>
#include <bit>
#include <numeric>

#include "base/check.h"

namespace banyan::engine::internal {

void SortedRangeIndex::Build(std::span<const int64_t> values, std::span<const uint64_t> has) {
  CHECK(values.size() == 64 * has.size());
  std::vector<uint16_t> order;
  for (size_t w = 0; w < has.size(); ++w) {
    for (uint64_t word = has[w]; word != 0; word &= word - 1) {
      order.push_back(static_cast<uint16_t>(64 * w + std::countr_zero(word)));
    }
  }
  std::sort(order.begin(), order.end(),
            [&](uint16_t a, uint16_t b) { return values[a] < values[b]; });
  values_.resize(order.size());
  for (size_t k = 0; k < order.size(); ++k) values_[k] = values[order[k]];
  indexes_ = std::move(order);
  values_.shrink_to_fit();
  indexes_.shrink_to_fit();
}

void SortedRangeIndex::Select(int64_t lo, int64_t hi, uint64_t* out) const {
  if (lo > hi) return;
  auto begin = std::lower_bound(values_.begin(), values_.end(), lo);
  auto end = std::upper_bound(begin, values_.end(), hi);
  for (size_t k = begin - values_.begin(), e = end - values_.begin(); k < e; ++k) {
    out[indexes_[k] >> 6] |= uint64_t{1} << (indexes_[k] & 63);
  }
}

size_t SortedRangeIndex::MemoryBytes() const {
  return values_.capacity() * sizeof(int64_t) + indexes_.capacity() * sizeof(uint16_t);
}

void BitSlicedRangeIndex::Build(std::span<const int64_t> values, std::span<const uint64_t> has) {
  CHECK(values.size() == 64 * has.size());
  has_.assign(has.begin(), has.end());
  min_ = 0;
  max_ = -1;
  bool any = false;
  for (size_t i = 0; i < values.size(); ++i) {
    if ((has[i >> 6] >> (i & 63) & 1) == 0) continue;
    if (!any || values[i] < min_) min_ = values[i];
    if (!any || values[i] > max_) max_ = values[i];
    any = true;
  }
  const uint64_t span = any ? static_cast<uint64_t>(max_) - static_cast<uint64_t>(min_) : 0;
  bits_ = any ? 64 - std::countl_zero(span) : 0;
  slices_.assign(has.size() * bits_, 0);
  for (size_t i = 0; any && i < values.size(); ++i) {
    if ((has[i >> 6] >> (i & 63) & 1) == 0) continue;
    const uint64_t offset = static_cast<uint64_t>(values[i]) - static_cast<uint64_t>(min_);
    uint64_t* word = &slices_[(i >> 6) * bits_];
    for (int b = 0; b < bits_; ++b) word[b] |= ((offset >> b) & 1) << (i & 63);
  }
  slices_.shrink_to_fit();
}

void BitSlicedRangeIndex::Select(int64_t lo, int64_t hi, uint64_t* out) const {
  if (max_ < min_ || lo > hi || hi < min_ || lo > max_) return;
  const uint64_t high = static_cast<uint64_t>(std::min(hi, max_)) - static_cast<uint64_t>(min_);
  const uint64_t low = static_cast<uint64_t>(std::max(lo, min_)) - static_cast<uint64_t>(min_);
  for (size_t w = 0; w < has_.size(); ++w) {
    const uint64_t has = has_[w];
    if (has == 0) continue;
    const uint64_t* slice = &slices_[w * bits_];
    // Walking from the top bit: `*_less` holds customers already known to be below the bound,
    // `*_equal` those equal to it so far.
    uint64_t high_less = 0, high_equal = has, low_less = 0, low_equal = has;
    for (int b = bits_ - 1; b >= 0; --b) {
      const uint64_t s = slice[b];
      if ((high >> b) & 1) {
        high_less |= high_equal & ~s;
        high_equal &= s;
      } else {
        high_equal &= ~s;
      }
      if ((low >> b) & 1) {
        low_less |= low_equal & ~s;
        low_equal &= s;
      } else {
        low_equal &= ~s;
      }
    }
    out[w] |= (high_less | high_equal) & ~low_less & has;
  }
}

size_t BitSlicedRangeIndex::MemoryBytes() const {
  return (has_.capacity() + slices_.capacity()) * sizeof(uint64_t);
}

}  // namespace banyan::engine::internal
