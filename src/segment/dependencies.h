// What an expression depends on: the attributes, events, tags and segments it names, and
// whether its truth can change with the passing of time alone. Live segments re-check a segment
// only when a change touches one of these (segment_service.h), and re-evaluate time-dependent
// ones on a timer.
//
// Thread safety: pure functions.

#ifndef BANYAN_SEGMENT_DEPENDENCIES_H_
#define BANYAN_SEGMENT_DEPENDENCIES_H_

#include <set>
#include <string>

#include "segment/ast.h"

namespace banyan::segment {

struct Dependencies {
  std::set<std::string, std::less<>> attributes;  // engine attribute names (consent, coordinates)
  std::set<std::string, std::less<>> events;
  std::set<std::string, std::less<>> tags;
  std::set<std::string, std::less<>> segments;
  // A relative window (`in last N days`, `within N days`, `before N days ago`): membership can
  // change with no new data.
  bool time_dependent = false;
};

Dependencies DependenciesOf(const Expr& expr);

}  // namespace banyan::segment

#endif  // BANYAN_SEGMENT_DEPENDENCIES_H_
