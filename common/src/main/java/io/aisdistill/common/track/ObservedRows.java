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
    Double cog = p.cog() == null ? null : (double) (Long.parseLong(fmt(p.cog(), 0)) % 360);
    return new TrackPoint(Math.floorDiv(p.tsMillis(), 1000L) * 1000L, Double.parseDouble(fmt(p.lat(), 5)),
        Double.parseDouble(fmt(p.lon(), 5)), p.sog() == null ? null : Double.parseDouble(fmt(p.sog(), 1)), cog,
        p.heading(), p.navStatus());
  }

  /** {@code v} with {@code decimals} decimals, '.' separator, half-up; "-0.0" becomes "0.0". */
  public static String fmt(double v, int decimals) {
    String s = String.format(Locale.ROOT, "%." + decimals + "f", v);
    return s.matches("-0(\\.0*)?") ? s.substring(1) : s;
  }
}
