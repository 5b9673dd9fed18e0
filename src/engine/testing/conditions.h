// Test helpers for the engine's query primitives. Test-only; plain functions over values.

#ifndef BANYAN_ENGINE_TESTING_CONDITIONS_H_
#define BANYAN_ENGINE_TESTING_CONDITIONS_H_

#include <string>
#include <utility>
#include <vector>

#include "engine/query.h"

namespace banyan::engine::testing {

// An EventCondition on `type` from `from` on, with `where`.
inline EventCondition On(std::string type, int64_t from = kEpochBaseSeconds,
                         std::vector<PropertyCondition> where = {}) {
  EventCondition condition;
  condition.type = std::move(type);
  condition.from_seconds = from;
  condition.where = std::move(where);
  return condition;
}

}  // namespace banyan::engine::testing

#endif  // BANYAN_ENGINE_TESTING_CONDITIONS_H_
