// The reference evaluator: the segment language's meaning written as plainly as possible — every
// condition checked customer by customer, every window by scanning every event — so that it can
// serve as the oracle the engine is differentially tested against. It is slow on purpose; never
// use it outside tests.
//
// Semantics (docs/segments.md, "Meaning", is the contract; this is its executable form):
//   - `now` is the dataset's; events and consent facts after `now` are not seen.
//   - `in last N days` is [now − N×24 h, now], both ends included; `between D1 and D2` is
//     [start of D1, start of D2 + 1 day) in local business days (the calendar's zone).
//   - A comparison with an attribute the customer does not have is false (`!=` too).
//   - `did A then B` needs B strictly later than A; equal times are not an order.
//   - Distances are great-circle (haversine) on a sphere of radius kEarthRadiusMeters.
//
// Thread safety: stateless; the dataset and catalog are only read.

#ifndef BANYAN_SEGMENT_TESTING_REFERENCE_EVALUATOR_H_
#define BANYAN_SEGMENT_TESTING_REFERENCE_EVALUATOR_H_

#include <cstdint>
#include <vector>

#include "base/time.h"
#include "segment/ast.h"
#include "segment/catalog.h"
#include "segment/geo.h"
#include "segment/testing/dataset.h"

namespace banyan::segment::testing {

// The one distance function (geo.h): the engine evaluator must agree at the metre's edge.
using segment::HaversineMeters;
using segment::kEarthRadiusMeters;

// The ids of the customers in `data` matching `expr`, ascending. REQUIRES: `expr` passed
// Validate(expr, catalog). Fails (InvalidArgument) only for an attribute the catalog lacks.
Result<std::vector<int64_t>> Evaluate(const Expr& expr, const Dataset& data, const Catalog& catalog,
                                      const BusinessCalendar& calendar);

}  // namespace banyan::segment::testing

#endif  // BANYAN_SEGMENT_TESTING_REFERENCE_EVALUATOR_H_
