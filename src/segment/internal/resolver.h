// SegmentService::Resolver: answers `has tag` and `in segment` for one instant, from the
// service's caches and live state, evaluating what is not current. Private to the service's
// sources (segment_service.cc, segment_live.cc, segment_writes.cc).
// Thread safety: one evaluation (one thread) at a time.

#ifndef BANYAN_SEGMENT_INTERNAL_RESOLVER_H_
#define BANYAN_SEGMENT_INTERNAL_RESOLVER_H_

#include <map>
#include <string>

#include "segment/segment_service.h"

namespace banyan::segment {

class SegmentService::Resolver : public MembershipResolver {
 public:
  Resolver(const SegmentService& service, Timestamp now, int depth = 0)
      : service_(service), now_(now), depth_(depth) {}

  Result<engine::Bitmap> Tag(const engine::Snapshot& snapshot, std::string_view tag,
                             const std::string* value) const override;
  Result<engine::Bitmap> Segment(const engine::Snapshot& snapshot,
                                 std::string_view name) const override;
  // The monitor's fresh result for `name`, used by segments evaluated after it in the round.
  void Remember(const std::string& name, engine::Bitmap members) {
    round_[name] = std::move(members);
  }

 private:
  const SegmentService& service_;
  Timestamp now_;
  int depth_;
  std::map<std::string, engine::Bitmap, std::less<>> round_;
};

}  // namespace banyan::segment

#endif  // BANYAN_SEGMENT_INTERNAL_RESOLVER_H_
