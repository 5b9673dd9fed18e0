// Dataset: a plain in-memory world for testing segments — customers with attribute values, home
// coordinates, tags and segment memberships; events with time, name, channel, properties and an
// optional location; consent facts; branch coordinates — and the one-line text format the case
// files (tests/cases/segment/*.test) write it in:
//
//   now 2026-03-31T12:00:00+08:00
//   customer 1 age=30 aum=600000 city="杭州市" products=fund,deposit home=30.2741,120.1551
//   event 1 2026-03-30T10:00:00+08:00 view_product channel=app product=credit_card amount=100
//   event 1 2026-03-30T11:00:00+08:00 app_open location=30.27,120.15
//   tag 1 vip                        a tag without a value
//   tag 1 aum_tier=gold              a valued tag
//   member 1 high_value              membership of a saved segment
//   consent 1 marketing sms granted 2026-01-01T00:00:00Z     (or withdrawn)
//   branch Xixi 30.2741,120.1300
//
// Attribute values are read by the attribute's type in the catalog (a string list is a,b,c);
// event property values are JSON numbers when they look like numbers, true/false, and strings
// otherwise ("quoted" is always a string). Every name the data mentions (events, tags, segments,
// branches) is added to the catalog, so files need not declare them.
//
// Used by: the reference evaluator, the case runner, later the engine's differential test.
// Thread safety: values.

#ifndef BANYAN_SEGMENT_TESTING_DATASET_H_
#define BANYAN_SEGMENT_TESTING_DATASET_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/json.h"
#include "segment/catalog.h"
#include "segment/geo.h"

namespace banyan::segment::testing {

using segment::GeoPoint;

struct TestCustomer {
  int64_t id = 0;
  std::map<std::string, Json, std::less<>> attributes;  // canonical JSON, as profile stores them
  std::optional<GeoPoint> home;
  std::map<std::string, std::set<std::string>, std::less<>> tags;  // "" for a tag without value
  std::set<std::string, std::less<>> segments;
};

struct TestEvent {
  int64_t customer = 0;
  Timestamp time{};
  std::string name;
  std::string channel;  // "app", "web", ...; empty when unknown
  Json properties = Json::object();
  std::optional<GeoPoint> location;
};

// A consent fact; of two facts with the same `at`, the one later in Dataset::consents wins.
struct TestConsent {
  int64_t customer = 0;
  std::string purpose;
  std::string channel = "all";
  bool granted = false;
  Timestamp at{};
};

struct Dataset {
  Timestamp now{};
  std::map<int64_t, TestCustomer> customers;
  std::vector<TestEvent> events;  // in arrival order
  std::vector<TestConsent> consents;
  std::map<std::string, GeoPoint, std::less<>> branches;
};

// The profile's built-in attributes (docs/profiles.md) plus `email` (string), a few events with
// declared properties (view_product, purchase), the event channels, the consent vocabulary of
// privacy/consent.h.
Catalog BuiltinTestCatalog();

// Applies one line of the text format above to `data`, adding what it names to `catalog`.
// Errors name the problem ("customer: aum: expected a decimal").
Status ApplyLine(std::string_view line, Dataset& data, Catalog& catalog);

}  // namespace banyan::segment::testing

#endif  // BANYAN_SEGMENT_TESTING_DATASET_H_
