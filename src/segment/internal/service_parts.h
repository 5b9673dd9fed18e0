// The segment service's in-memory parts: a live segment's state, the per-version tag cache and
// the person -> customer index map of a snapshot.
// Thread safety: each part has its own mutex where noted.

#ifndef BANYAN_SEGMENT_INTERNAL_SERVICE_PARTS_H_
#define BANYAN_SEGMENT_INTERNAL_SERVICE_PARTS_H_

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "engine/bitmap.h"
#include "segment/ast.h"
#include "segment/dependencies.h"
#include "segment/tags.h"

namespace banyan::segment {

namespace internal {

// A live segment: its definition and, under `mutex`, its members as of `engine_version`.
struct Live {
  int64_t id = 0;
  std::string name;
  Expr expr;
  Dependencies deps;
  int depth = 0;  // how deep its `in segment` references go: referenced ones are re-checked first

  std::mutex mutex;
  engine::Bitmap members;  // engine customer indexes, bank-wide
  bool evaluated = false;  // the baseline is done
  uint64_t engine_version = 0;
  Timestamp consistent_at{};
  Timestamp last_full{};  // the last whole-population evaluation
  int64_t entered = 0, exited = 0;
};

// Computed tag holders, each with the key it holds for (see SegmentService::TagMembersOf).
struct TagCache {
  std::mutex mutex;
  std::map<std::string, std::pair<std::string, std::shared_ptr<const TagMembers>>, std::less<>>
      members;
};

struct IndexOfPerson {
  uint64_t version = 0;
  std::unordered_map<int64_t, uint32_t> of;
};

}  // namespace internal
}  // namespace banyan::segment

#endif  // BANYAN_SEGMENT_INTERNAL_SERVICE_PARTS_H_
