package io.aisdistill.common.select;

import ch.hsr.geohash.GeoHash;
import io.aisdistill.common.ais.ShipTypes;
import io.aisdistill.common.track.TrackWindow;
import java.util.Locale;

/**
 * The strata of window selection: what a window shows (behaviour), who (ship type group), where
 * (geohash cell of the window start) and when (UTC hour of the start, in buckets). A stratum is
 * the four joined by {@code |}, e.g. {@code underway|cargo|dr5|h12}.
 *
 * <p>Behaviour, first rule that holds (thresholds are the constants below):
 * <ol>
 *   <li>{@code anomalous}: an implausible leg (max_leg_speed_kn above {@value #ANOMALY_LEG_SPEED_KN}
 *       knots), at least {@value #ANOMALY_HEADING_COG_DISAGREEMENTS} heading/COG disagreements
 *       (points moving at 2 knots or more whose heading and COG differ by more than 45 degrees), or
 *       SOG missing from more than half of the reports;</li>
 *   <li>{@code stopped}: stationary fraction at least {@value #STOPPED_FRACTION}, or less than
 *       {@value #STOPPED_DISTANCE_NM} nautical miles travelled;</li>
 *   <li>{@code underway}: mean SOG at least {@value #UNDERWAY_SOG_KN} knots and displacement /
 *       distance at least {@value #UNDERWAY_STRAIGHTNESS} (a mostly straight passage);</li>
 *   <li>{@code manoeuvring}: everything else (turning, slow, loitering).</li>
 * </ol>
 */
public final class WindowStrata {
  private WindowStrata() {}

  /** Knots: a leg faster than this makes a window anomalous. */
  public static final double ANOMALY_LEG_SPEED_KN = 50.0;
  /** Heading/COG disagreements (count of points) that make a window anomalous. */
  public static final int ANOMALY_HEADING_COG_DISAGREEMENTS = 2;
  /** Share of points (0-1): a window is stopped at or above this stationary fraction. */
  public static final double STOPPED_FRACTION = 0.5;
  /** Nautical miles: a window travelling less than this is stopped. */
  public static final double STOPPED_DISTANCE_NM = 0.1;
  /** Knots: lowest mean SOG of an underway window. */
  public static final double UNDERWAY_SOG_KN = 3.0;
  /** Lowest displacement / distance (0-1) of an underway window. */
  public static final double UNDERWAY_STRAIGHTNESS = 0.5;
  /** Ship type group of a window whose vessel reports no (valid) ship type. */
  public static final String UNKNOWN_GROUP = "unknown";

  /** What a window shows. */
  public enum Behaviour {
    /** Moving along a mostly straight passage. */
    UNDERWAY,
    /** Moving, but turning, slow or loitering. */
    MANOEUVRING,
    /** Moored, anchored or otherwise hardly moving. */
    STOPPED,
    /** Implausible legs, heading/COG disagreements or mostly missing SOG. */
    ANOMALOUS;

    /** Lower-case label as stored in {@code window_selection}. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The behaviour of {@code w} (see the class Javadoc). */
  public static Behaviour behaviour(TrackWindow w) {
    if (w.maxLegSpeedKn() > ANOMALY_LEG_SPEED_KN
        || w.headingCogDisagreements() >= ANOMALY_HEADING_COG_DISAGREEMENTS
        || 2 * w.sogMissing() > w.nPoints()) {
      return Behaviour.ANOMALOUS;
    }
    if (w.stationaryFraction() != null && w.stationaryFraction() >= STOPPED_FRACTION
        || w.distanceNm() < STOPPED_DISTANCE_NM) {
      return Behaviour.STOPPED;
    }
    if (w.sogMeanKn() != null && w.sogMeanKn() >= UNDERWAY_SOG_KN
        && w.displacementNm() >= UNDERWAY_STRAIGHTNESS * w.distanceNm()) {
      return Behaviour.UNDERWAY;
    }
    return Behaviour.MANOEUVRING;
  }

  /** {@link ShipTypes#group} of the window's ship type, or {@value #UNKNOWN_GROUP}. */
  public static String shipGroup(TrackWindow w) {
    String g = w.vessel() == null ? null : ShipTypes.group(w.vessel().shipType());
    return g == null ? UNKNOWN_GROUP : g;
  }

  /**
   * Geohash of a position (base 32, {@code precision} characters; 2 characters are cells of about
   * 1,250 x 625 km, 3 about 156 x 156 km, 6 about 1.2 x 0.6 km, 7 about 153 x 153 m).
   *
   * @param lat WGS84 degrees, -90 to 90
   * @param lon WGS84 degrees, -180 to 180
   * @param precision characters, 1 to 12
   * @throws IllegalArgumentException for a precision outside 1-12 or a position out of range
   */
  public static String geohash(double lat, double lon, int precision) {
    if (precision < 1 || precision > 12) {
      throw new IllegalArgumentException("geohash precision must be 1-12 characters, got " + precision);
    }
    return GeoHash.geoHashStringWithCharacterPrecision(lat, lon, precision);
  }

  /**
   * The UTC hour bucket of an instant as {@code hHH} (the bucket's first hour), e.g. 13:40 UTC
   * with 6-hour buckets is {@code h12}.
   *
   * @param epochMillis UTC epoch milliseconds
   * @param bucketHours hours per bucket, a divisor of 24 (1, 2, 3, 4, 6, 8, 12, 24)
   * @throws IllegalArgumentException when bucketHours does not divide 24
   */
  public static String hourBucket(long epochMillis, int bucketHours) {
    if (bucketHours < 1 || 24 % bucketHours != 0) {
      throw new IllegalArgumentException("hour bucket must divide 24 hours, got " + bucketHours);
    }
    int hour = (int) Math.floorMod(Math.floorDiv(epochMillis, 3_600_000L), 24L);
    return String.format(Locale.ROOT, "h%02d", hour - hour % bucketHours);
  }

  /**
   * The stratum of a window: behaviour, ship group, region geohash of the start and UTC hour
   * bucket of the start, joined by {@code |}.
   *
   * @param regionPrecision geohash characters of the region (see {@link #geohash})
   * @param hourBucketHours see {@link #hourBucket}
   */
  public static String stratum(TrackWindow w, int regionPrecision, int hourBucketHours) {
    return behaviour(w).label() + "|" + shipGroup(w) + "|" + geohash(w.startLat(), w.startLon(), regionPrecision)
        + "|" + hourBucket(w.startTsMillis(), hourBucketHours);
  }
}
