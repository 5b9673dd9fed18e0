#include "analytics/internal/funnel_scan.h"

#include <algorithm>

namespace banyan::analytics::internal {
namespace {

// Kuhn's augmenting paths over (step, event) pairs of one run of equal-time events: a handful of
// each, so the simple recursion is the fast one.
class TieMatcher {
 public:
  explicit TieMatcher(const std::vector<uint32_t>& masks)
      : masks_(masks), owner_(masks.size(), -1) {}
  void Reset() { std::fill(owner_.begin(), owner_.end(), -1); }
  // Tries to give step `s` an event of its own, moving earlier steps to other events if needed.
  bool Add(int s) {
    visited_.assign(masks_.size(), false);
    return Augment(s);
  }

 private:
  bool Augment(int s) {
    for (size_t e = 0; e < masks_.size(); ++e) {
      if ((masks_[e] & (1u << s)) == 0 || visited_[e]) continue;
      visited_[e] = true;
      if (owner_[e] < 0 || Augment(owner_[e])) {
        owner_[e] = s;
        return true;
      }
    }
    return false;
  }
  const std::vector<uint32_t>& masks_;
  std::vector<int> owner_;
  std::vector<bool> visited_;
};

}  // namespace

uint32_t FunnelScan::Mask(const SequenceView& view, uint32_t i, SequenceWalk& walk,
                          std::optional<uint64_t> entry_key) const {
  uint32_t mask = steps_.Mask(view, i, walk);
  if ((mask & 1) != 0) {
    if (view.times[i] >= bounds_.entry_to ||
        (entry_key && groups_->Key(view, i, walk) != *entry_key)) {
      mask &= ~1u;
    }
  }
  return mask;
}

void FunnelScan::AddKey(const SequenceView& view, uint32_t i, SequenceWalk& walk,
                        std::vector<uint64_t>* keys) const {
  const uint64_t key = groups_->Key(view, i, walk);
  if (std::find(keys->begin(), keys->end(), key) == keys->end()) keys->push_back(key);
}

void FunnelScan::EntryKeysFrom(const SequenceView& view, uint32_t from, SequenceWalk& walk,
                               std::vector<uint64_t>* keys) const {
  const uint32_t end = view.LowerBound(bounds_.entry_to);
  for (uint32_t i = std::max(from, view.LowerBound(bounds_.entry_from)); i < end; ++i) {
    if ((steps_.TypeMask(view, i) & 1) == 0) continue;
    if ((steps_.Mask(view, i, walk) & 1) == 0) continue;
    AddKey(view, i, walk, keys);
  }
}

FunnelOutcome FunnelScan::Run(const SequenceView& view, std::optional<uint64_t> entry_key,
                              std::vector<uint64_t>* entry_keys) const {
  if (entry_keys != nullptr) entry_keys->clear();
  return order_ == FunnelOrder::kStrict ? Strict(view, entry_key, entry_keys)
                                        : AnyOrder(view, entry_key, entry_keys);
}

void FunnelScan::Single(uint32_t t, uint32_t mask, Chain* best, FunnelOutcome* outcome) const {
  for (int k = n_ - 1; k >= 0; --k) {
    if ((mask & (1u << k)) == 0) continue;
    if (k == 0) {
      if (best[0].start >= int64_t{t}) continue;
      best[0].start = t;
      best[0].times[0] = t;
    } else {
      const Chain& previous = best[k - 1];
      if (previous.start < 0 || int64_t{t} - previous.start > window_) continue;
      if (best[k].start >= previous.start) continue;
      best[k] = previous;
      best[k].times[k] = t;
    }
    if (outcome->level < k + 1) {
      outcome->level = k + 1;
      outcome->times = best[k].times;
    }
  }
}

void FunnelScan::Tie(uint32_t t, const std::vector<uint32_t>& masks, Chain* best,
                     FunnelOutcome* outcome) const {
  Chain next[kFunnelStepsMax];
  std::copy(best, best + n_, next);
  TieMatcher matcher(masks);
  int deepest = 0;
  for (int done = 0; done < n_; ++done) {
    // Continue a chain that has `done` steps before this second (0: a new entry now).
    Chain base;
    if (done == 0) {
      base.start = t;
    } else {
      base = best[done - 1];
      if (base.start < 0 || int64_t{t} - base.start > window_) continue;
    }
    matcher.Reset();
    for (int s = done; s < n_ && matcher.Add(s); ++s) {
      base.times[s] = t;
      if (next[s].start < base.start) next[s] = base;
      deepest = std::max(deepest, s + 1);
    }
  }
  std::copy(next, next + n_, best);
  if (deepest > outcome->level) {
    outcome->level = deepest;
    outcome->times = best[deepest - 1].times;
  }
}

FunnelOutcome FunnelScan::Strict(const SequenceView& view, std::optional<uint64_t> entry_key,
                                 std::vector<uint64_t>* entry_keys) const {
  FunnelOutcome outcome;
  Chain best[kFunnelStepsMax];
  SequenceWalk walk(view);
  const uint32_t end = view.LowerBound(bounds_.scan_end);
  std::vector<uint32_t> tie;
  for (uint32_t i = view.LowerBound(bounds_.entry_from); i < end; ++i) {
    if (steps_.TypeMask(view, i) == 0) continue;
    const uint32_t t = view.times[i];
    const uint32_t mask = Mask(view, i, walk, entry_key);
    if (entry_keys != nullptr && (mask & 1) != 0) AddKey(view, i, walk, entry_keys);
    if (i + 1 < end && view.times[i + 1] == t) {
      // A run of events in the same second: any order among them.
      tie.clear();
      if (mask != 0) tie.push_back(mask);
      while (i + 1 < end && view.times[i + 1] == t) {
        ++i;
        if (steps_.TypeMask(view, i) == 0) continue;
        const uint32_t other = Mask(view, i, walk, entry_key);
        if (entry_keys != nullptr && (other & 1) != 0) AddKey(view, i, walk, entry_keys);
        if (other != 0) tie.push_back(other);
      }
      if (tie.size() == 1) Single(t, tie[0], best, &outcome);
      if (tie.size() > 1) Tie(t, tie, best, &outcome);
    } else if (mask != 0) {
      Single(t, mask, best, &outcome);
    }
    if (outcome.level == n_) {
      if (entry_keys != nullptr) EntryKeysFrom(view, i + 1, walk, entry_keys);
      break;
    }
  }
  return outcome;
}

FunnelOutcome FunnelScan::AnyOrder(const SequenceView& view, std::optional<uint64_t> entry_key,
                                   std::vector<uint64_t>* entry_keys) const {
  FunnelOutcome outcome;
  SequenceWalk walk(view);
  SequenceWalk window_walk(view);
  const uint32_t entry_end = view.LowerBound(bounds_.entry_to);
  for (uint32_t i = view.LowerBound(bounds_.entry_from); i < entry_end; ++i) {
    if ((steps_.TypeMask(view, i) & 1) == 0) continue;
    if ((Mask(view, i, walk, entry_key) & 1) == 0) continue;
    if (entry_keys != nullptr) AddKey(view, i, walk, entry_keys);
    const uint32_t t = view.times[i];
    const int64_t last = std::min<int64_t>(int64_t{t} + window_, int64_t{bounds_.scan_end} - 1);
    std::array<uint32_t, kFunnelStepsMax> times{};
    times[0] = t;
    uint32_t filled = 1;
    const uint32_t all = (1u << n_) - 1;
    for (uint32_t j = view.LowerBound(t); j < view.count && view.times[j] <= last; ++j) {
      if (j == i || (steps_.TypeMask(view, j) & ~1u) == 0) continue;
      const uint32_t open = steps_.Mask(view, j, window_walk) & ~filled;
      if (open == 0) continue;
      const int s = __builtin_ctz(open);
      filled |= 1u << s;
      times[s] = view.times[j];
      if (filled == all) break;
    }
    int level = 1;
    while (level < n_ && (filled & (1u << level)) != 0) ++level;
    if (level > outcome.level) {
      outcome.level = level;
      outcome.times = times;
    }
    if (outcome.level == n_) {
      if (entry_keys != nullptr) EntryKeysFrom(view, i + 1, walk, entry_keys);
      break;
    }
  }
  return outcome;
}

}  // namespace banyan::analytics::internal
