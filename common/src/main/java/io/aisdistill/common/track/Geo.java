package io.aisdistill.common.track;

import net.sf.geographiclib.Geodesic;
import net.sf.geographiclib.GeodesicData;
import net.sf.geographiclib.GeodesicMask;

/**
 * Geodesic distance and bearing on the WGS84 ellipsoid, by GeographicLib (C. F. F. Karney,
 * "Algorithms for geodesics", J. Geodesy 87, 2013). Distances in nautical miles (1 nm = 1852 m),
 * bearings in degrees true [0, 360).
 */
public final class Geo {
  /** Metres in one international nautical mile. */
  public static final double METRES_PER_NM = 1852.0;

  private Geo() {}

  /** Geodesic distance in nautical miles between two WGS84 points (degrees). */
  public static double distanceNm(double lat1, double lon1, double lat2, double lon2) {
    GeodesicData g = Geodesic.WGS84.Inverse(lat1, lon1, lat2, lon2, GeodesicMask.DISTANCE);
    return g.s12 / METRES_PER_NM;
  }

  /** Initial geodesic bearing in degrees true [0, 360) from point 1 to point 2. */
  public static double bearingDeg(double lat1, double lon1, double lat2, double lon2) {
    GeodesicData g = Geodesic.WGS84.Inverse(lat1, lon1, lat2, lon2, GeodesicMask.AZIMUTH);
    return normalizeDeg(g.azi1);
  }

  /** An angle in degrees mapped to [0, 360). */
  public static double normalizeDeg(double deg) {
    double d = deg % 360.0;
    return d < 0 ? d + 360.0 : d;
  }

  /** Smallest absolute difference between two directions, in degrees [0, 180]. */
  public static double angleDiffDeg(double a, double b) {
    double d = Math.abs(normalizeDeg(a) - normalizeDeg(b));
    return d > 180.0 ? 360.0 - d : d;
  }
}
