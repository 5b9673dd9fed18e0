#include "segment/geo.h"

#include <algorithm>
#include <cmath>

namespace banyan::segment {

namespace {
constexpr double kRadiansPerDegree = M_PI / 180.0;
// Added to every side of a box: far more than any rounding of the distance, far less than a
// metre (1e-5 degrees is about 1.1 m).
constexpr double kPadDegrees = 1e-5;
}  // namespace

double HaversineMeters(const GeoPoint& a, const GeoPoint& b) {
  const double phi1 = a.latitude * kRadiansPerDegree, phi2 = b.latitude * kRadiansPerDegree;
  const double dphi = phi2 - phi1;
  const double dlambda = (b.longitude - a.longitude) * kRadiansPerDegree;
  const double h = std::sin(dphi / 2) * std::sin(dphi / 2) +
                   std::cos(phi1) * std::cos(phi2) * std::sin(dlambda / 2) * std::sin(dlambda / 2);
  return 2 * kEarthRadiusMeters * std::asin(std::min(1.0, std::sqrt(h)));
}

GeoBox BoxAround(const GeoPoint& centre, double meters) {
  // The great-circle distance is at least R × |Δφ|, so the latitude band is exact; for the
  // longitude, the widest reach from a centre at φ is asin(sin(r) / cos(φ)) (the tangent point),
  // defined while the circle does not contain a pole.
  const double angle = meters / kEarthRadiusMeters;  // radians
  const double dlat = angle / kRadiansPerDegree;
  GeoBox box;
  box.latitude_min = centre.latitude - dlat - kPadDegrees;
  box.latitude_max = centre.latitude + dlat + kPadDegrees;
  const double cos_phi = std::cos(centre.latitude * kRadiansPerDegree);
  if (box.latitude_max >= 89 || box.latitude_min <= -89 || std::sin(angle) >= cos_phi) return box;
  const double dlon = std::asin(std::sin(angle) / cos_phi) / kRadiansPerDegree + kPadDegrees;
  if (centre.longitude - dlon <= -180 || centre.longitude + dlon >= 180) return box;
  box.longitude = std::pair(centre.longitude - dlon, centre.longitude + dlon);
  return box;
}

}  // namespace banyan::segment
