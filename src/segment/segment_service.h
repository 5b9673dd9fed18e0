// SegmentService: the tag catalog and saved segments over the analytic engine — what the
// /api/v1/tags and /api/v1/segments routes and `banyan segment count` call.
//
// Definitions live in SQLite (migration 0007); membership lives in memory and is computed on the
// engine's snapshots:
//   - Tags (tags.h) are computed per snapshot version when an expression, a preview or a
//     segment needs them, and cached until the next version.
//   - Live segments are kept current by a monitor thread: after each engine version it asks the
//     engine what changed (Engine::ChangesSince) and re-checks only the changed customers, and
//     only for segments whose expression depends on a changed attribute or event type (or on a
//     tag or segment, which may depend on anything). Segments with relative time windows are
//     re-evaluated in full every `expiry_interval`, so that customers leave `in last 30 days`
//     as the window passes them. Each entry and exit is stored in segment_transition (in
//     order, for journeys) and counted; each segment reports the snapshot version and time it
//     was last consistent with.
//   - Static segments are the members of their latest snapshot, in SQLite.
// After a restart the first evaluation is the baseline: customers who entered or left while the
// server was down produce no transition.
//
// Every read is scoped: counts, samples, overlaps and exports cover only the customers the
// caller may see (CustomerService::VisibleCustomers); samples are masked list rows; exports are
// audited. Segment definitions saved by branch staff are visible within their branch's subtree.
//
// Thread safety: every public method is safe from any thread.

#ifndef BANYAN_SEGMENT_SEGMENT_SERVICE_H_
#define BANYAN_SEGMENT_SEGMENT_SERVICE_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "auth/audit.h"
#include "auth/principal.h"
#include "base/clock.h"
#include "base/json.h"
#include "base/result.h"
#include "base/time.h"
#include "customer/customer_service.h"
#include "engine/engine.h"
#include "events/tracking_plan.h"
#include "segment/ast.h"
#include "segment/catalog.h"
#include "segment/engine_eval.h"
#include "segment/internal/service_parts.h"
#include "segment/tags.h"
#include "store/database.h"

namespace banyan::segment {

inline constexpr size_t kSegmentNameBytesMax = 128;
inline constexpr size_t kSegmentDescriptionBytesMax = 2000;
inline constexpr size_t kSegmentsMax = 10'000;
inline constexpr size_t kLiveSegmentsMax = 1000;
inline constexpr int kPreviewSampleMax = 50;
inline constexpr size_t kOverlapSetsMax = 4;
inline constexpr size_t kExportMembersMax = 10'000'000;
inline constexpr size_t kImportRowsMax = 1'000'000;
inline constexpr size_t kImportBytesMax = 64 * 1024 * 1024;
inline constexpr int kTransitionPageMax = 1000;
inline constexpr int kSegmentRefsDepthMax = 8;  // `in segment` within `in segment` ...

enum class SegmentKind { kLive, kStatic };
std::string_view SegmentKindName(SegmentKind kind);  // "live", "static"

struct SegmentDef {
  int64_t id = 0;
  std::string name;
  std::string description;
  SegmentKind kind = SegmentKind::kLive;
  std::string expression;  // canonical text
  std::optional<int64_t> owner_staff_id;
  std::optional<int64_t> branch_id;
  std::string branch_path = "/";  // of branch_id; "/" for head office
  int64_t version = 1;
  Timestamp created_at{}, updated_at{};
};

// A live segment's state as of its last evaluation.
struct SegmentStatus {
  uint64_t engine_version = 0;
  Timestamp consistent_at{};  // the `now` of the last evaluation
  uint64_t members = 0;       // bank-wide
  int64_t entered = 0;        // since start
  int64_t exited = 0;
};

struct Transition {
  int64_t seq = 0;
  int64_t segment_id = 0;
  int64_t one_id = 0;
  bool entered = false;
  Timestamp at{};
};

struct SegmentCounters {
  std::atomic<int64_t> rounds{0};
  std::atomic<int64_t> rechecks{0};          // segment re-checks on changed customers
  std::atomic<int64_t> full_evaluations{0};  // whole-population evaluations
  std::atomic<int64_t> skipped{0};           // segments a change could not affect
  std::atomic<int64_t> transitions{0};
  std::atomic<int64_t> failures{0};
  std::atomic<int64_t> last_round_micros{0};
};

struct SegmentOptions {
  // How often the monitor looks for a new engine version.
  std::chrono::milliseconds poll_interval{100};
  // How often time-dependent live segments are re-evaluated in full.
  std::chrono::seconds expiry_interval{60};
  // Transitions older than this are pruned.
  std::chrono::hours transitions_retention{24 * 30};
  bool monitor = true;  // off: no thread (tests drive Refresh themselves)
};

// What a preview answers.
struct Preview {
  uint64_t count = 0;
  std::vector<customer::CustomerSummary> sample;
  std::string expression;  // canonical text
  Json tree;
  uint64_t engine_version = 0;
  Timestamp as_of{};
  double took_ms = 0;
};

class SegmentService {
 public:
  struct Deps {
    store::Database& db;
    customer::CustomerService& customers;  // REQUIRES: has_engine()
    auth::AuditLog& audit;
    const Clock& clock;
    const BusinessCalendar& calendar;
    const events::TrackingPlan* plan = nullptr;
  };

  // Loads the catalog and definitions (adding the built-in tags to a new bank), evaluates every
  // live segment (the baseline) and starts the monitor.
  static Result<std::unique_ptr<SegmentService>> Open(Deps deps, SegmentOptions options = {});
  ~SegmentService();
  SegmentService(const SegmentService&) = delete;
  SegmentService& operator=(const SegmentService&) = delete;

  // Answers `has tag` and `in segment` as of `now` on any snapshot, from the service's caches
  // and live state — for other engine readers (analytics: grouping by tag, restricting to an
  // expression with tags or segments). Valid while the service lives.
  std::unique_ptr<MembershipResolver> NewResolver(Timestamp now) const;

  // What expressions may name now: profile attributes, the tracking plan's and the engine's
  // events, tags and their values, segments, branches, channels and the consent vocabulary.
  Catalog BuildCatalog() const;

  // Parses (text) or reads (JSON tree) and validates an expression. InvalidArgument with the
  // position or the JSON path; field "/expression" or "/tree".
  Result<Expr> ReadExpression(const Json& body) const;

  // The count and a masked sample of who matches `expr` now, within the caller's scope.
  Result<Preview> PreviewExpression(const auth::Principal& principal, const Expr& expr,
                                    int sample_size);
  // Count only, bank-wide as `principal` sees it (the CLI).
  Result<uint64_t> Count(const auth::Principal& principal, const Expr& expr);

  // Tags.
  Result<std::vector<TagDef>> ListTags() const;
  Result<TagDef> GetTag(int64_t id) const;
  Result<TagDef> CreateTag(const auth::Principal& principal, const Json& body,
                           const auth::AuditContext& context);
  Result<TagDef> UpdateTag(const auth::Principal& principal, int64_t id, const Json& body,
                           const auth::AuditContext& context);
  Status DeleteTag(const auth::Principal& principal, int64_t id, const auth::AuditContext& context);
  // Replaces an imported tag's members with a CSV: `type,value[,tag_value]` rows (a header row
  // `type,value,tag_value` is optional). Rows naming nobody are counted, not errors.
  Result<Json> ImportTagMembers(const auth::Principal& principal, int64_t id, std::string_view csv,
                                const auth::AuditContext& context);
  // Recomputes a daily or manual tag's holders at its next use (live tags follow the data).
  Status RefreshTag(int64_t id);
  // Holders per value within the caller's scope.
  Result<Json> TagCounts(const auth::Principal& principal, int64_t id);
  // The tags (with values) one customer holds.
  Result<Json> TagsOf(const auth::Principal& principal, int64_t one_id);

  // Segments.
  Result<std::vector<SegmentDef>> ListSegments(const auth::Principal& principal) const;
  Result<SegmentDef> GetSegment(const auth::Principal& principal, int64_t id) const;
  Result<SegmentDef> CreateSegment(const auth::Principal& principal, const Json& body,
                                   const auth::AuditContext& context);
  Result<SegmentDef> UpdateSegment(const auth::Principal& principal, int64_t id, const Json& body,
                                   const auth::AuditContext& context);
  Status DeleteSegment(const auth::Principal& principal, int64_t id,
                       const auth::AuditContext& context);
  // A static segment holding `one_ids` (e.g. the customers who dropped off at a funnel step).
  Result<SegmentDef> CreateStaticSegment(const auth::Principal& principal, std::string name,
                                         std::string description, std::string origin,
                                         const std::vector<int64_t>& one_ids,
                                         const auth::AuditContext& context);
  // The live state, or nullopt for a static segment.
  std::optional<SegmentStatus> LiveStatus(int64_t id) const;
  // Members within the caller's scope, as engine customers of `snapshot`.
  Result<engine::Bitmap> Members(const auth::Principal& principal, int64_t id,
                                 const engine::Snapshot& snapshot);
  // Count and masked sample of a saved segment.
  Result<Preview> PreviewSegment(const auth::Principal& principal, int64_t id, int sample_size);
  // Venn counts of 2..4 saved segments: each set's size and each region's (customers in
  // exactly those sets), within the caller's scope.
  Result<Json> Overlap(const auth::Principal& principal, const std::vector<int64_t>& ids);
  // The OneIDs of the members within the caller's scope, ascending; audited ("segment.export").
  Result<std::vector<int64_t>> Export(const auth::Principal& principal, int64_t id,
                                      const auth::AuditContext& context);
  // Freezes the current members into a snapshot (segment_snapshot); returns it as JSON.
  Result<Json> TakeSnapshot(const auth::Principal& principal, int64_t id,
                            const auth::AuditContext& context);
  Result<Json> ListSnapshots(const auth::Principal& principal, int64_t id);
  // Entries and exits after `after_seq`, oldest first.
  Result<std::vector<Transition>> Transitions(const auth::Principal& principal, int64_t id,
                                              int64_t after_seq, int limit);

  // One monitor round now (tests, and the monitor thread): re-checks what changed since the last
  // round, and time-dependent segments when `expire` (or their interval has passed).
  Status Refresh(bool expire = false);

  const SegmentCounters& counters() const { return counters_; }

 private:
  class Resolver;
  using Live = internal::Live;

  SegmentService(Deps deps, SegmentOptions options);
  Status Load();
  Status EnsureBuiltinTags();
  EvalContext ContextFor(const engine::Snapshot& snapshot, Timestamp now,
                         const Resolver& resolver) const;
  Result<engine::Bitmap> Evaluate(const Expr& expr, const engine::Snapshot& snapshot, Timestamp now,
                                  const Resolver& resolver) const;
  Result<TagMembers> ComputeTag(const TagDef& tag, const engine::Snapshot& snapshot, Timestamp now,
                                const Resolver& resolver) const;
  // The holders of tag `name` (null for an unknown tag), cached per snapshot version.
  Result<std::shared_ptr<const TagMembers>> TagMembersOf(std::string_view name,
                                                         const engine::Snapshot& snapshot,
                                                         Timestamp now,
                                                         const Resolver& resolver) const;
  // The customers of `snapshot` that `one_ids` are (merges followed).
  Result<engine::Bitmap> IndexesOf(const engine::Snapshot& snapshot,
                                   const std::vector<int64_t>& one_ids) const;
  std::shared_ptr<const internal::IndexOfPerson> IndexFor(const engine::Snapshot& snapshot) const;
  Result<SegmentDef> ReadSegment(int64_t id) const;
  Result<SegmentDef> VisibleSegment(const auth::Principal& principal, int64_t id) const;
  Status CheckSegmentRefs(const Expr& expr, const std::string& self) const;
  Result<SegmentDef> SaveSegment(const auth::Principal& principal, std::optional<int64_t> id,
                                 const Json& body, const auth::AuditContext& context);
  Result<TagDef> SaveTag(const auth::Principal& principal, std::optional<int64_t> id,
                         const Json& body, const auth::AuditContext& context);
  void Reload();
  void RunMonitor();
  std::vector<int64_t> OneIds(const engine::Snapshot& snapshot,
                              const engine::Bitmap& members) const;

  Deps deps_;
  SegmentOptions options_;
  SegmentCounters counters_;

  // Definitions (reloaded after every change) and live state.
  mutable std::mutex mutex_;
  std::vector<TagDef> tags_;
  std::map<std::string, std::vector<int64_t>, std::less<>> imported_;  // tag -> person ids
  std::map<std::string, std::vector<std::string>, std::less<>> imported_values_;
  std::map<std::string, std::map<int64_t, std::string>, std::less<>> imported_value_of_;
  std::vector<SegmentDef> segments_;
  std::map<int64_t, std::shared_ptr<Live>> live_;
  std::map<int64_t, std::vector<int64_t>, std::less<>> static_members_;  // segment -> one ids
  std::shared_ptr<internal::TagCache> tag_cache_;
  mutable std::mutex index_mutex_;
  mutable std::shared_ptr<const internal::IndexOfPerson> index_;

  std::mutex refresh_mutex_;  // one round at a time
  uint64_t last_version_ = 0;
  std::shared_ptr<const engine::Snapshot> previous_snapshot_;
  bool reevaluate_all_ = true;
  Timestamp last_expiry_{};

  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread monitor_;
};

}  // namespace banyan::segment

#endif  // BANYAN_SEGMENT_SEGMENT_SERVICE_H_
