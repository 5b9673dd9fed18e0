// Geography for segments: a point, the great-circle distance the language defines (haversine on
// a sphere of the IUGG mean Earth radius) and the latitude/longitude box that holds every point
// within a distance of a centre, so an evaluator can narrow candidates with range indexes before
// computing distances.
//
// Used by: the engine evaluator (engine_eval.h) and the reference evaluator (testing/), which
// must agree to the last bit at the edge of a radius, so both call this one function.
// Thread safety: pure functions.

#ifndef BANYAN_SEGMENT_GEO_H_
#define BANYAN_SEGMENT_GEO_H_

#include <optional>
#include <utility>

namespace banyan::segment {

// The mean Earth radius (IUGG), in metres.
inline constexpr double kEarthRadiusMeters = 6371008.8;

struct GeoPoint {
  double latitude = 0;   // degrees
  double longitude = 0;  // degrees
};

// Great-circle distance between two points, in metres.
double HaversineMeters(const GeoPoint& a, const GeoPoint& b);

// Degrees: every point within `meters` of the centre has a latitude in [latitude_min,
// latitude_max] and, when `longitude` is set (not near a pole or the antimeridian), a longitude
// in its [min, max]. Padded, so rounding never leaves out a point that is inside.
struct GeoBox {
  double latitude_min = 0, latitude_max = 0;
  std::optional<std::pair<double, double>> longitude;
};
GeoBox BoxAround(const GeoPoint& centre, double meters);

}  // namespace banyan::segment

#endif  // BANYAN_SEGMENT_GEO_H_
