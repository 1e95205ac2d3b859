package io.aisdistill.common.qa;

import io.aisdistill.common.text.Sha256;
import io.aisdistill.common.track.Geo;
import io.aisdistill.common.track.ObservedRows;
import io.aisdistill.common.track.TrackPoint;
import io.aisdistill.common.track.TrackWindow;
import io.aisdistill.common.track.WindowFeatures;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.sf.geographiclib.Geodesic;
import net.sf.geographiclib.GeodesicData;

/**
 * What can be derived from the observed rows of a window ({@link TrackWindow#track()}, see
 * {@link ObservedRows}): legs, intervals, stops, turns and the data a question carries (the two
 * rows of a partial-speed question, the target point and deadline of an ETA question). The
 * definitions are those of docs/qa-facts.md, section 3; {@link WindowFacts} reads its window-v2
 * facts from here.
 *
 * <p>Units: times in UTC epoch seconds, distances in nautical miles (WGS84 geodesics,
 * GeographicLib), speeds in knots, angles in degrees true. Immutable; {@link #of} caches the last
 * observation per thread, since the facts of one window are read one after another.
 */
public final class Observation {
  /** Stop detector max_diameter (nautical miles): 100 m. */
  public static final double STOP_DIAMETER_NM = 100.0 / Geo.METRES_PER_NM;
  /** Stop detector min_duration (seconds). */
  public static final long STOP_MIN_S = 300;
  /** SOG (knots) below which a row is stationary. */
  public static final double STATIONARY_SOG_KN = 0.5;
  /** SOG (knots) from which a row is moving (turns, heading vs COG, ETA questions). */
  public static final double MOVING_SOG_KN = 2.0;
  /** Smallest course change (degrees) that is part of a turn. */
  public static final double TURN_STEP_DEG = 5.0;
  /** Smallest summed course change (degrees) that is a turn. */
  public static final double TURN_MIN_DEG = 30.0;
  /** Seconds from the last row to an ETA question's deadline. */
  public static final long ETA_DEADLINE_S = 1800;

  /** A stop: rows {@code first..last} (indices), within {@link #STOP_DIAMETER_NM} for at least {@link #STOP_MIN_S}. */
  public record Stop(int first, int last, long startS, long endS) {
    /** Duration in seconds. */
    public long durationS() {
      return endS - startS;
    }
  }

  /**
   * A turn: course changes {@code firstChange..lastChange} (indices into {@link #courseChanges()}),
   * summing to {@code sumDeg} (positive = to starboard).
   */
  public record Turn(int firstChange, int lastChange, double sumDeg) {}

  /**
   * A course change between two consecutive moving rows {@code row - 1} and {@code row}.
   *
   * @param deltaDeg signed change in [-180, 180), positive = clockwise (to starboard)
   */
  public record CourseChange(int row, double fromDeg, double toDeg, double deltaDeg) {}

  private static final ThreadLocal<Observation> LAST = new ThreadLocal<>();

  private final TrackWindow window;
  private final List<TrackPoint> rows;
  private final long[] t;
  private final double[] legs;
  private final List<Stop> stops;
  private final List<CourseChange> changes;
  private final List<Turn> turns;

  private Observation(TrackWindow w) {
    this.window = w;
    this.rows = w.track() == null ? List.of() : w.track();
    int n = rows.size();
    t = new long[n];
    legs = new double[Math.max(n, 1)];
    for (int i = 0; i < n; i++) {
      t[i] = Math.floorDiv(rows.get(i).tsMillis(), 1000L);
      if (i > 0) {
        legs[i] = Geo.distanceNm(rows.get(i - 1).lat(), rows.get(i - 1).lon(), rows.get(i).lat(), rows.get(i).lon());
      }
    }
    stops = detectStops();
    changes = courseChanges(rows);
    turns = detectTurns(changes);
  }

  /** The observation of {@code w}'s rows (the last one of this thread when {@code w} is the same object). */
  public static Observation of(TrackWindow w) {
    Observation o = LAST.get();
    if (o == null || o.window != w) {
      o = new Observation(w);
      LAST.set(o);
    }
    return o;
  }

  /** The window observed. */
  public TrackWindow window() {
    return window;
  }

  /** The rows, time order. */
  public List<TrackPoint> rows() {
    return rows;
  }

  /** Number of rows. */
  public int n() {
    return rows.size();
  }

  /** Time of row i, UTC epoch seconds. */
  public long time(int i) {
    return t[i];
  }

  /** Length of leg i (row i-1 to row i) in nautical miles, 1 <= i < n. */
  public double leg(int i) {
    return legs[i];
  }

  /** Duration of leg i in seconds. */
  public long interval(int i) {
    return t[i] - t[i - 1];
  }

  /** The n-1 intervals between consecutive rows, seconds, ascending (for medians). */
  public long[] sortedIntervals() {
    long[] iv = new long[Math.max(0, n() - 1)];
    for (int i = 1; i < n(); i++) {
      iv[i - 1] = interval(i);
    }
    Arrays.sort(iv);
    return iv;
  }

  /** Last minus first row time, seconds (0 for fewer than 2 rows). */
  public long durationS() {
    return n() < 2 ? 0 : t[n() - 1] - t[0];
  }

  /** The valid SOG of row i: null when not available or 102.2 ("102.2 knots or more"). */
  public Double sog(int i) {
    Double s = rows.get(i).sog();
    return s == null || s >= WindowFeatures.SOG_OVERFLOW_KN ? null : s;
  }

  /** Sum of legs {@code from+1 .. to} (rows from..to), nautical miles. */
  public double distanceNm(int from, int to) {
    double d = 0;
    for (int i = from + 1; i <= to; i++) {
      d += legs[i];
    }
    return d;
  }

  /** Track distance over all legs, nautical miles. */
  public double distanceNm() {
    return distanceNm(0, n() - 1);
  }

  /** Geodesic first row to last row, nautical miles. */
  public double displacementNm() {
    TrackPoint a = rows.get(0);
    TrackPoint b = rows.get(n() - 1);
    return Geo.distanceNm(a.lat(), a.lon(), b.lat(), b.lon());
  }

  /** Indices of the rows with a valid SOG. */
  public List<Integer> sogRows() {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < n(); i++) {
      if (sog(i) != null) {
        out.add(i);
      }
    }
    return out;
  }

  /** Mean valid SOG of rows {@code idx}, null when none. */
  public Double meanSog(List<Integer> idx) {
    double s = 0;
    int k = 0;
    for (int i : idx) {
      if (sog(i) != null) {
        s += sog(i);
        k++;
      }
    }
    return k == 0 ? null : s / k;
  }

  /** Rows in the first half of the window (t <= t_mid) or, with {@code first} false, the second. */
  public List<Integer> half(boolean first) {
    List<Integer> out = new ArrayList<>();
    if (n() < 2) {
      return out;
    }
    double mid = (t[0] + t[n() - 1]) / 2.0;
    for (int i = 0; i < n(); i++) {
      if ((t[i] <= mid) == first) {
        out.add(i);
      }
    }
    return out;
  }

  /** The midpoint time (t_0 + t_(n-1)) / 2, epoch seconds (may end in .5). */
  public double midTime() {
    return (t[0] + t[n() - 1]) / 2.0;
  }

  /** The stops (MovingPandas-style, see docs/qa-facts.md). */
  public List<Stop> stops() {
    return stops;
  }

  /** Course changes between consecutive moving rows. */
  public List<CourseChange> courseChanges() {
    return changes;
  }

  /** The turns. */
  public List<Turn> turns() {
    return turns;
  }

  /** The row with the largest interval before it (first on ties): leg index k, 1 <= k < n; -1 for n < 2. */
  public int maxGapLeg() {
    int best = -1;
    for (int i = 1; i < n(); i++) {
      if (best < 0 || interval(i) > interval(best)) {
        best = i;
      }
    }
    return best;
  }

  /** The leg with the highest implied speed (first on ties), among legs that take time; -1 when none. */
  public int fastestLeg() {
    int best = -1;
    for (int i = 1; i < n(); i++) {
      if (interval(i) > 0 && (best < 0 || legSpeedKn(i) > legSpeedKn(best))) {
        best = i;
      }
    }
    return best;
  }

  /** Implied speed of leg i, knots (interval must be > 0). */
  public double legSpeedKn(int i) {
    return legs[i] / (interval(i) / 3600.0);
  }

  /** Most frequent nav status code of the rows (ties: lowest code), null when none reported. */
  public Integer dominantNavStatus() {
    int[] counts = new int[16];
    boolean any = false;
    for (TrackPoint p : rows) {
      if (p.navStatus() != null && p.navStatus() >= 0 && p.navStatus() < 16) {
        counts[p.navStatus()]++;
        any = true;
      }
    }
    if (!any) {
      return null;
    }
    int best = 0;
    for (int c = 1; c < 16; c++) {
      if (counts[c] > counts[best]) {
        best = c;
      }
    }
    return best;
  }

  /** Rows of the partial-speed question: {a, b} with a = floor((n-1)/4), b = n-1-a; null when b <= a or t_b = t_a. */
  public int[] partialRows() {
    int a = (n() - 1) / 4;
    int b = n() - 1 - a;
    return b <= a || t[b] == t[a] ? null : new int[] {a, b};
  }

  /**
   * The ETA question's target (rounded as shown) and lead time: {lat, lon, leadMin}, or null when
   * the last row is not moving (valid SOG >= 2 kn with COG). The target lies leadMin minutes
   * ahead at the last row's SOG along its COG (geodesic direct); leadMin is 10-27 or 33-50,
   * chosen by a hash of the window id, so both answers to "reach it by the deadline (30 min
   * after the last row)?" occur and none is a borderline case.
   */
  public double[] etaTarget() {
    int last = n() - 1;
    if (last < 0 || sog(last) == null || sog(last) < MOVING_SOG_KN || rows.get(last).cog() == null) {
      return null;
    }
    int h = Integer.remainderUnsigned(
        Integer.parseUnsignedInt(Sha256.hex(window.windowId() + "|eta").substring(0, 8), 16), 36);
    int lead = h < 18 ? 10 + h : 15 + h;
    double metres = sog(last) * lead / 60.0 * Geo.METRES_PER_NM;
    GeodesicData g = Geodesic.WGS84.Direct(rows.get(last).lat(), rows.get(last).lon(), rows.get(last).cog(), metres);
    return new double[] {ObservedRows.roundHalfUp(g.lat2, 5), ObservedRows.roundHalfUp(g.lon2, 5),
        lead};
  }

  /** Deadline of the ETA question, epoch seconds: last row + {@link #ETA_DEADLINE_S}. */
  public long etaDeadline() {
    return t[n() - 1] + ETA_DEADLINE_S;
  }

  // ---------------------------------------------------------------- detectors

  private List<Stop> detectStops() {
    int n = n();
    List<Stop> out = new ArrayList<>();
    if (n < 2) {
      return out;
    }
    double[][] d = new double[n][];
    int i = 0;
    while (i < n) {
      int j = i;
      while (j + 1 < n && withinDiameter(d, i, j + 1)) {
        j++;
      }
      if (j > i && t[j] - t[i] >= STOP_MIN_S) {
        out.add(new Stop(i, j, t[i], t[j]));
        i = j + 1;
      } else {
        i++;
      }
    }
    return out;
  }

  /** True when row k is within the stop diameter of every row i..k-1. */
  private boolean withinDiameter(double[][] d, int i, int k) {
    for (int m = i; m < k; m++) {
      if (pair(d, m, k) > STOP_DIAMETER_NM) {
        return false;
      }
    }
    return true;
  }

  private double pair(double[][] d, int a, int b) {
    if (d[b] == null) {
      d[b] = new double[b];
      Arrays.fill(d[b], Double.NaN);
    }
    if (Double.isNaN(d[b][a])) {
      d[b][a] = Geo.distanceNm(rows.get(a).lat(), rows.get(a).lon(), rows.get(b).lat(), rows.get(b).lon());
    }
    return d[b][a];
  }

  /**
   * Difference in degrees (0-180) between the heading and the COG of row {@code i} when it moves
   * at {@link #MOVING_SOG_KN} or more and reports both; null otherwise.
   *
   * @throws IndexOutOfBoundsException when {@code i} is not a row index
   */
  public Double headingCogDiffDeg(int i) {
    TrackPoint p = rows.get(i);
    if (!moving(i) || p.heading() == null) {
      return null;
    }
    return Geo.angleDiffDeg(p.heading(), p.cog());
  }

  private boolean moving(int i) {
    return sog(i) != null && sog(i) >= MOVING_SOG_KN && rows.get(i).cog() != null;
  }

  private List<CourseChange> courseChanges(List<TrackPoint> rs) {
    List<CourseChange> out = new ArrayList<>();
    for (int i = 1; i < rs.size(); i++) {
      if (moving(i - 1) && moving(i)) {
        double from = rs.get(i - 1).cog();
        double to = rs.get(i).cog();
        out.add(new CourseChange(i, from, to, signedChange(from, to)));
      }
    }
    return out;
  }

  /**
   * Signed course change from {@code from} to {@code to}, degrees in [-180, 180), positive
   * clockwise: ((to - from + 540) mod 360) - 180, as docs/qa-facts.md defines it (a reversal is -180).
   */
  public static double signedChange(double from, double to) {
    return ((to - from + 540.0) % 360.0 + 360.0) % 360.0 - 180.0;
  }

  private static List<Turn> detectTurns(List<CourseChange> cs) {
    List<Turn> out = new ArrayList<>();
    int start = -1;
    double sum = 0;
    for (int k = 0; k <= cs.size(); k++) {
      CourseChange c = k < cs.size() ? cs.get(k) : null;
      boolean continues = c != null && start >= 0 && Math.abs(c.deltaDeg()) >= TURN_STEP_DEG
          && Math.signum(c.deltaDeg()) == Math.signum(sum) && cs.get(k - 1).row() == c.row() - 1;
      if (!continues) {
        if (start >= 0 && Math.abs(sum) >= TURN_MIN_DEG) {
          out.add(new Turn(start, k - 1, sum));
        }
        start = -1;
        sum = 0;
        if (c != null && Math.abs(c.deltaDeg()) >= TURN_STEP_DEG) {
          start = k;
          sum = c.deltaDeg();
        }
      } else {
        sum += c.deltaDeg();
      }
    }
    return out;
  }
}
