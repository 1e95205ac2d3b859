package io.aisdistill.common.ais;

/**
 * The "not available" values of ITU-R M.1371-5 (Table 48, message types 1-3; Table 67, type 18)
 * and the rule for each: a sentinel becomes null (or, for position, a reject), never a value; the
 * rules themselves are applied in {@link Plausibility}.
 *
 * <ul>
 *   <li>SOG: raw 1023 = 102.3 knots means not available; 102.2 means 102.2 knots or higher.</li>
 *   <li>COG: raw 3600 = 360.0 degrees means not available.</li>
 *   <li>True heading: 511 means not available.</li>
 *   <li>Latitude 91, longitude 181 degrees: position not available.</li>
 *   <li>Navigational status 15: not defined (kept as 15: it is the default, not a sentinel).</li>
 * </ul>
 */
public final class Sentinels {
  /** SOG value (knots) meaning "not available". */
  public static final double SOG_NOT_AVAILABLE = 102.3;
  /** COG value (degrees) meaning "not available". */
  public static final double COG_NOT_AVAILABLE = 360.0;
  /** Heading value meaning "not available". */
  public static final int HEADING_NOT_AVAILABLE = 511;
  /** Latitude value (degrees) meaning "not available". */
  public static final double LAT_NOT_AVAILABLE = 91.0;
  /** Longitude value (degrees) meaning "not available". */
  public static final double LON_NOT_AVAILABLE = 181.0;

  private Sentinels() {}

  /** True when {@code lat} is a usable latitude: in [-90, 90] (91 = not available is not). */
  public static boolean validLat(double lat) {
    return !Double.isNaN(lat) && lat >= -90.0 && lat <= 90.0;
  }

  /** True when {@code lon} is a usable longitude: in [-180, 180] (181 = not available is not). */
  public static boolean validLon(double lon) {
    return !Double.isNaN(lon) && lon >= -180.0 && lon <= 180.0;
  }
}
