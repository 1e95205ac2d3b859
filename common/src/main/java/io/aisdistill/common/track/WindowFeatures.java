package io.aisdistill.common.track;

import io.aisdistill.common.text.Sha256;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * Computes a {@link TrackWindow}'s kinematic features from its time-ordered reports. Pure
 * function of its inputs: the same points give the same window, bit for bit.
 */
public final class WindowFeatures {
  /** SOG (knots) from which COG changes count as turns. */
  static final double TURN_MIN_SOG_KN = 1.0;
  /** SOG (knots) from which heading and COG are compared. */
  static final double HEADING_COG_MIN_SOG_KN = 2.0;
  /** Heading/COG difference (degrees) above which a report counts as a disagreement. */
  static final double HEADING_COG_DISAGREE_DEG = 45.0;
  /** Reported SOG meaning "102.2 knots or more" (ITU-R M.1371 SOG 1022): not a speed. */
  public static final double SOG_OVERFLOW_KN = 102.2;
  /** Displacement (nm) below which no start-to-end bearing is given. */
  static final double MIN_BEARING_DISPLACEMENT_NM = 0.05;

  private WindowFeatures() {}

  /**
   * Builds the window.
   *
   * @param cfg thresholds (stop speed and duration, noise floor, track length)
   * @param mmsi the vessel
   * @param segmentStartMillis UTC epoch ms of the segment's first report (part of the ids)
   * @param windowIndex index of the window in its segment
   * @param points the window's reports in time order (at least 2)
   * @param legNm {@code legNm[i]} = geodesic distance in nm from point i-1 to i; {@code legNm[0]}
   *     is ignored; at least {@code points.size()} entries
   * @param vessel static identity
   * @throws IllegalArgumentException when fewer than 2 points are given
   */
  public static TrackWindow build(
      WindowConfig cfg,
      long mmsi,
      long segmentStartMillis,
      int windowIndex,
      List<TrackPoint> points,
      double[] legNm,
      VesselInfo vessel) {
    int n = points.size();
    if (n < 2) {
      throw new IllegalArgumentException("a window needs at least 2 points, got " + n);
    }
    TrackPoint first = points.get(0);
    TrackPoint last = points.get(n - 1);
    double distance = 0;
    double maxLegSpeed = 0;
    long maxGapMs = 0;
    long[] intervals = new long[n - 1];
    double minLat = first.lat(), maxLat = first.lat(), minLon = first.lon(), maxLon = first.lon();
    double sogSum = 0;
    int sogN = 0, sogMissing = 0, cogMissing = 0, headingMissing = 0, stationaryN = 0;
    Double sogMax = null, sogMin = null;
    double turn = 0;
    Double prevCog = null;
    Double hcMax = null;
    int hcDisagree = 0;
    TreeMap<Integer, Integer> statusCounts = new TreeMap<>();
    int stopCount = 0;
    long stoppedMs = 0;
    long runStart = -1;
    long runEnd = -1;
    for (int i = 0; i < n; i++) {
      TrackPoint p = points.get(i);
      minLat = Math.min(minLat, p.lat());
      maxLat = Math.max(maxLat, p.lat());
      minLon = Math.min(minLon, p.lon());
      maxLon = Math.max(maxLon, p.lon());
      double legSpeed = 0;
      if (i > 0) {
        long dt = p.tsMillis() - points.get(i - 1).tsMillis();
        intervals[i - 1] = dt;
        maxGapMs = Math.max(maxGapMs, dt);
        distance += legNm[i];
        if (dt > 0) {
          legSpeed = legNm[i] / (dt / 3_600_000.0);
          maxLegSpeed = Math.max(maxLegSpeed, legSpeed);
        }
      }
      // SOG 102.2 is "102.2 knots or more" (ITU-R M.1371), not a speed: kept out of SOG statistics
      Double sog = p.sog() != null && p.sog() >= SOG_OVERFLOW_KN ? null : p.sog();
      if (sog == null) {
        sogMissing++;
      } else {
        sogSum += sog;
        sogN++;
        sogMax = sogMax == null ? sog : Math.max(sogMax, sog);
        sogMin = sogMin == null ? sog : Math.min(sogMin, sog);
        if (sog < cfg.stopSogKn()) {
          stationaryN++;
        }
      }
      if (p.cog() == null) {
        cogMissing++;
      }
      if (p.heading() == null) {
        headingMissing++;
      }
      if (p.navStatus() != null) {
        statusCounts.merge(p.navStatus(), 1, Integer::sum);
      }
      // turns: COG changes between consecutive moving reports
      Double cog = sog != null && sog >= TURN_MIN_SOG_KN ? p.cog() : null;
      if (cog != null && prevCog != null) {
        turn += Geo.angleDiffDeg(prevCog, cog);
      }
      prevCog = cog;
      if (sog != null && sog >= HEADING_COG_MIN_SOG_KN && p.heading() != null && p.cog() != null) {
        double d = Geo.angleDiffDeg(p.heading(), p.cog());
        hcMax = hcMax == null ? d : Math.max(hcMax, d);
        if (d > HEADING_COG_DISAGREE_DEG) {
          hcDisagree++;
        }
      }
      // stops: runs of stationary reports (reported SOG, else the implied speed of the leg to the
      // previous report, or to the next one for the first report)
      boolean stationary = sog != null ? sog < cfg.stopSogKn()
          : (i > 0 ? legSpeed : nextLegSpeed(points, legNm, i)) < cfg.stopSogKn();
      if (stationary) {
        if (runStart < 0) {
          runStart = p.tsMillis();
        }
        runEnd = p.tsMillis();
      } else if (runStart >= 0) {
        if (runEnd - runStart >= cfg.minStopS() * 1000) {
          stopCount++;
          stoppedMs += runEnd - runStart;
        }
        runStart = -1;
      }
    }
    if (runStart >= 0 && runEnd - runStart >= cfg.minStopS() * 1000) {
      stopCount++;
      stoppedMs += runEnd - runStart;
    }
    Arrays.sort(intervals);
    long medianMs = intervals.length % 2 == 1
        ? intervals[intervals.length / 2]
        : (intervals[intervals.length / 2 - 1] + intervals[intervals.length / 2]) / 2;
    long durationMs = last.tsMillis() - first.tsMillis();
    double displacement = Geo.distanceNm(first.lat(), first.lon(), last.lat(), last.lon());
    Double bearing = displacement >= MIN_BEARING_DISPLACEMENT_NM
        ? Geo.bearingDeg(first.lat(), first.lon(), last.lat(), last.lon())
        : null;
    Integer dominant = null;
    int best = 0;
    for (var e : statusCounts.entrySet()) {
      if (e.getValue() > best) {
        best = e.getValue();
        dominant = e.getKey();
      }
    }
    String segmentId = mmsi + "-" + segmentStartMillis;
    return new TrackWindow(
        windowId(mmsi, segmentStartMillis, first.tsMillis()),
        mmsi,
        segmentId,
        windowIndex,
        first.tsMillis(),
        last.tsMillis(),
        n,
        distance,
        displacement,
        bearing,
        sogN == 0 ? null : sogSum / sogN,
        sogMax,
        sogMin,
        durationMs > 0 ? distance / (durationMs / 3_600_000.0) : null,
        maxLegSpeed,
        turn,
        stopCount,
        stoppedMs / 1000,
        sogN == 0 ? null : stationaryN / (double) sogN,
        maxGapMs / 1000,
        medianMs / 1000,
        List.copyOf(statusCounts.keySet()),
        dominant,
        minLat,
        maxLat,
        minLon,
        maxLon,
        first.lat(),
        first.lon(),
        last.lat(),
        last.lon(),
        sogMissing,
        cogMissing,
        headingMissing,
        hcMax,
        hcDisagree,
        vessel,
        ObservedRows.of(points, cfg.maxTrackPoints()),
        Instant.ofEpochMilli(first.tsMillis()).atZone(ZoneOffset.UTC).toLocalDate().toString());
  }

  /**
   * Deterministic window id: the first 20 hex digits (80 bits) of SHA-256 over
   * "mmsi|segmentStartMillis|windowStartMillis".
   */
  public static String windowId(long mmsi, long segmentStartMillis, long windowStartMillis) {
    return Sha256.hex(mmsi + "|" + segmentStartMillis + "|" + windowStartMillis).substring(0, 20);
  }


  /** Implied speed (knots) of the leg from point i to i+1; infinite when there is none or it takes no time. */
  private static double nextLegSpeed(List<TrackPoint> points, double[] legNm, int i) {
    if (i + 1 >= points.size()) {
      return Double.POSITIVE_INFINITY;
    }
    long dt = points.get(i + 1).tsMillis() - points.get(i).tsMillis();
    return dt > 0 ? legNm[i + 1] / (dt / 3_600_000.0) : Double.POSITIVE_INFINITY;
  }
}
