package io.aisdistill.common.track;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The rows of a window a model sees: at most K of the window's reports, chosen by TD-TR and
 * rounded as the prompt shows them (docs/qa-facts.md, section 1). Every window-v2 fact is computed
 * from these rows, so ground truth is computed from exactly what the student reads.
 *
 * <p>Selection: TD-TR, the top-down time-ratio algorithm of N. Meratnia and R. A. de By,
 * "Spatiotemporal compression techniques for moving point objects", EDBT 2004: Douglas-Peucker
 * with the synchronized Euclidean distance (SED) instead of the perpendicular distance. Here it is
 * run to a point budget: the first and last report are kept, then the interior report with the
 * largest SED to its segment (between its two kept neighbours) is added, again and again, until K
 * reports are kept or the largest SED is 0 (ties: the earliest report). SED is measured in metres
 * on a local equirectangular projection around the first report (R = 6,371,008.8 m) between the
 * report and the position linearly interpolated in time between the segment's ends.
 *
 * <p>Rounding (as shown): time truncated to the whole second (UTC); latitude and longitude to 5
 * decimals; SOG to 1 decimal (knots); COG to a whole degree (360 becomes 0); heading and nav
 * status as reported. Rounding is half-up on the decimal text Java prints ({@code %.Nf}).
 */
public final class ObservedRows {
  /** Mean Earth radius (IUGG) in metres, for the SED projection. */
  static final double EARTH_RADIUS_M = 6_371_008.8;

  private ObservedRows() {}

  /**
   * The observed rows of a window: TD-TR to at most {@code max} reports, then rounded.
   *
   * @param points the window's reports in time order (at least 1)
   * @param max the point budget K (at least 2)
   * @return the rounded rows in time order; all points when there are at most {@code max}
   * @throws IllegalArgumentException when {@code max < 2} or {@code points} is empty
   */
  public static List<TrackPoint> of(List<TrackPoint> points, int max) {
    if (max < 2 || points.isEmpty()) {
      throw new IllegalArgumentException("need max >= 2 and at least one point: max=" + max + ", n=" + points.size());
    }
    List<TrackPoint> kept = points.size() <= max ? points : tdtr(points, max);
    List<TrackPoint> out = new ArrayList<>(kept.size());
    for (TrackPoint p : kept) {
      out.add(round(p));
    }
    return List.copyOf(out);
  }

  /** The reports TD-TR keeps at a budget of {@code max} (unrounded, time order). */
  static List<TrackPoint> tdtr(List<TrackPoint> pts, int max) {
    int n = pts.size();
    double lat0 = Math.toRadians(pts.get(0).lat());
    double lon0 = Math.toRadians(pts.get(0).lon());
    double cos0 = Math.cos(lat0);
    double[] x = new double[n];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = EARTH_RADIUS_M * cos0 * (Math.toRadians(pts.get(i).lon()) - lon0);
      y[i] = EARTH_RADIUS_M * (Math.toRadians(pts.get(i).lat()) - lat0);
    }
    boolean[] keep = new boolean[n];
    keep[0] = true;
    keep[n - 1] = true;
    int count = 2;
    while (count < max) {
      int best = -1;
      double bestSed = 0;
      int a = 0;
      for (int b = 1; b < n; b++) {
        if (!keep[b]) {
          continue;
        }
        for (int k = a + 1; k < b; k++) {
          double sed = sed(pts, x, y, a, b, k);
          if (sed > bestSed) {
            bestSed = sed;
            best = k;
          }
        }
        a = b;
      }
      if (best < 0) {
        break;
      }
      keep[best] = true;
      count++;
    }
    List<TrackPoint> out = new ArrayList<>(count);
    for (int i = 0; i < n; i++) {
      if (keep[i]) {
        out.add(pts.get(i));
      }
    }
    return out;
  }

  /** Synchronized Euclidean distance (metres) of report k to the segment a-b. */
  private static double sed(List<TrackPoint> pts, double[] x, double[] y, int a, int b, int k) {
    long ta = pts.get(a).tsMillis();
    long tb = pts.get(b).tsMillis();
    double f = tb == ta ? 0.0 : (pts.get(k).tsMillis() - ta) / (double) (tb - ta);
    double xi = x[a] + f * (x[b] - x[a]);
    double yi = y[a] + f * (y[b] - y[a]);
    return Math.hypot(x[k] - xi, y[k] - yi);
  }

  /** A report rounded as the prompt shows it (see the class Javadoc). */
  public static TrackPoint round(TrackPoint p) {
    Double cog = p.cog() == null ? null : (double) (((long) roundHalfUp(p.cog(), 0)) % 360);
    return new TrackPoint(Math.floorDiv(p.tsMillis(), 1000L) * 1000L, roundHalfUp(p.lat(), 5),
        roundHalfUp(p.lon(), 5), p.sog() == null ? null : roundHalfUp(p.sog(), 1), cog,
        p.heading(), p.navStatus());
  }

  /**
   * {@code v} with {@code decimals} decimals, '.' separator, half-up; "-0.0" becomes "0.0". Equal
   * to {@code String.format(Locale.ROOT, "%.<decimals>f", v)} with a leading '-' dropped when
   * every digit is 0 (the rounding is half-up on the decimal text Java prints, so "12.35" gives
   * "12.4" although the binary value of 12.35 is below it).
   */
  public static String fmt(double v, int decimals) {
    long k = scaledHalfUp(v, decimals);
    if (k < 0) {
      String s = String.format(Locale.ROOT, "%." + decimals + "f", v);
      return s.matches("-0(\\.0*)?") ? s.substring(1) : s;
    }
    StringBuilder b = new StringBuilder(24);
    if (v < 0 && k != 0) {
      b.append('-');
    }
    if (decimals == 0) {
      return b.append(k).toString();
    }
    long unit = POW10_LONG[decimals];
    String frac = Long.toString(k % unit);
    b.append(k / unit).append('.');
    for (int i = frac.length(); i < decimals; i++) {
      b.append('0');
    }
    return b.append(frac).toString();
  }

  /**
   * {@code Double.parseDouble(fmt(v, decimals))} without the text: {@code v} rounded half-up to
   * {@code decimals} decimals as {@link #fmt} shows it, as the nearest double (never -0.0).
   */
  public static double roundHalfUp(double v, int decimals) {
    long k = scaledHalfUp(v, decimals);
    if (k < 0) {
      return Double.parseDouble(fmt(v, decimals));
    }
    // k and 10^decimals are exact doubles and IEEE division rounds correctly: the same double as
    // parsing the decimal text k / 10^decimals
    double r = k / POW10[decimals];
    return v < 0 && k != 0 ? -r : r;
  }

  /** 10^0 .. 10^9, exact as doubles. */
  private static final double[] POW10 = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
  private static final long[] POW10_LONG = {1L, 10L, 100L, 1_000L, 10_000L, 100_000L, 1_000_000L, 10_000_000L,
      100_000_000L, 1_000_000_000L};

  /**
   * |v| * 10^decimals rounded half-up to a whole number, computed in double arithmetic, or -1 when
   * that could differ from Java's {@code %.Nf}: outside the fast range (NaN, infinite,
   * |v| * 10^decimals of 1e9 or more, decimals outside 0..9) or within 1e-6 of a tie (x.5).
   *
   * <p>Why it is exact elsewhere: {@code %.Nf} rounds half-up the decimal digits Java prints for
   * {@code v}, which parse back to {@code v}, so they lie within half an ulp of it; the product
   * here is within half an ulp of the exact |v| * 10^N. Below 1e9 both errors are under 3e-7
   * (2^-22), so away from a tie by 1e-6 both round to the same whole number.
   */
  private static long scaledHalfUp(double v, int decimals) {
    if (decimals < 0 || decimals >= POW10.length) {
      return -1;
    }
    double s = Math.abs(v) * POW10[decimals];
    if (!(s < 1e9)) {
      return -1;
    }
    double f = Math.floor(s);
    double frac = s - f;
    if (Math.abs(frac - 0.5) < 1e-6) {
      return -1;
    }
    return (long) f + (frac > 0.5 ? 1 : 0);
  }
}
