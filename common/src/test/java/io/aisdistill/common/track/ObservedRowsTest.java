package io.aisdistill.common.track;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** TD-TR selection of the observed rows and their rounding (docs/qa-facts.md, section 1). */
class ObservedRowsTest {
  static final long T0 = 1_717_228_800_000L; // 2024-06-01T08:00:00Z

  static TrackPoint pt(long s, double lat, double lon) {
    return new TrackPoint(T0 + s * 1000L, lat, lon, 10.0, 90.0, 90, 0);
  }

  /** Reports every 60 s along a parallel, due east, at a constant 0.001 degree of longitude a minute. */
  static List<TrackPoint> straight(int n) {
    List<TrackPoint> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(pt(60L * i, 55.0, 12.0 + 0.001 * i));
    }
    return out;
  }

  static List<Long> times(List<TrackPoint> rows) {
    return rows.stream().map(p -> (p.tsMillis() - T0) / 1000L).toList();
  }

  @Test
  void windowsWithinTheBudgetShowEveryReport() {
    List<TrackPoint> pts = straight(24);
    List<TrackPoint> rows = ObservedRows.of(pts, 24);
    assertEquals(24, rows.size());
    assertEquals(times(pts), times(rows));
  }

  @Test
  void keepsFirstLastAndTheLargestSedReport() {
    List<TrackPoint> pts = new ArrayList<>(straight(11));
    // report 7 is 0.005 degrees (~550 m) north of the line; report 3 only 0.001 degrees
    pts.set(7, pt(420, 55.005, pts.get(7).lon()));
    pts.set(3, pt(180, 55.001, pts.get(3).lon()));
    assertEquals(List.of(0L, 420L, 600L), times(ObservedRows.of(pts, 3)));
    // one more row: the largest SED to the segments 0-7 and 7-10 is report 6 (on the line, but
    // 0.0043 degrees south of the segment 0-7 at its time), not the off-line report 3
    assertEquals(List.of(0L, 360L, 420L, 600L), times(ObservedRows.of(pts, 4)));
  }

  @Test
  void sedSeesTimeNotOnlyGeometry() {
    // every position lies on the line, but the vessel waits: reports 1-4 stay at the start, then
    // it covers the whole distance; Douglas-Peucker (perpendicular distance) sees nothing, TD-TR
    // sees report 4 far behind where a constant speed would put it
    List<TrackPoint> pts = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      pts.add(pt(60L * i, 55.0, 12.0));
    }
    for (int i = 5; i < 10; i++) {
      pts.add(pt(60L * i, 55.0, 12.0 + 0.01 * (i - 4)));
    }
    assertEquals(List.of(0L, 240L, 540L), times(ObservedRows.of(pts, 3)));
  }

  @Test
  void tiesGoToTheEarliestReport() {
    List<TrackPoint> pts = new ArrayList<>();
    for (int i = 0; i < 9; i++) { // drifting on the spot at (0, 0), two reports off by the same distance
      pts.add(pt(60L * i, i == 2 ? 0.002 : i == 6 ? -0.002 : 0.0, 0.0));
    }
    assertEquals(List.of(0L, 120L, 480L), times(ObservedRows.of(pts, 3)));
  }

  @Test
  void budgetIsRespectedAndRowsAreReportsInTimeOrder() {
    List<TrackPoint> pts = new ArrayList<>();
    for (int i = 0; i < 200; i++) { // a meandering track
      pts.add(pt(10L * i, 55.0 + 0.002 * Math.sin(i / 7.0) + 0.0001 * i, 12.0 + 0.0003 * i));
    }
    List<TrackPoint> rows = ObservedRows.of(pts, 24);
    assertEquals(24, rows.size());
    assertEquals(pts.get(0).tsMillis(), rows.get(0).tsMillis());
    assertEquals(pts.get(199).tsMillis(), rows.get(23).tsMillis());
    List<Long> all = times(pts);
    List<Long> kept = times(rows);
    for (int k = 1; k < kept.size(); k++) {
      assertTrue(kept.get(k) > kept.get(k - 1), "time order: " + kept);
      assertTrue(all.contains(kept.get(k)));
    }
    assertEquals(5, ObservedRows.of(pts, 5).size());
  }

  @Test
  void stopsWhenEveryRemainingSedIsZero() {
    List<TrackPoint> pts = new ArrayList<>();
    for (int i = 0; i < 40; i++) { // moored: 40 reports at one position
      pts.add(pt(30L * i, 56.0384, 12.6138));
    }
    assertEquals(List.of(0L, 1170L), times(ObservedRows.of(pts, 24)));
  }

  @Test
  void rejectsBadArguments() {
    assertThrows(IllegalArgumentException.class, () -> ObservedRows.of(straight(5), 1));
    assertThrows(IllegalArgumentException.class, () -> ObservedRows.of(List.of(), 24));
  }

  @Test
  void roundsAsShownHalfUp() {
    TrackPoint p = new TrackPoint(T0 + 12_999L, 55.123455, -12.000004, 12.35, 359.6, 511 - 300, 5);
    TrackPoint r = ObservedRows.round(p);
    assertEquals(T0 + 12_000L, r.tsMillis()); // truncated to the second, not rounded
    assertEquals(55.12346, r.lat(), 0.0); // half-up on the decimal text
    assertEquals(-12.0, r.lon(), 0.0);
    assertEquals(12.4, r.sog(), 0.0); // 12.35 -> 12.4 (half-up of "12.35", not of its binary value)
    assertEquals(0.0, r.cog(), 0.0); // 359.6 rounds to 360, shown as 0
    assertEquals(211, r.heading());
    assertEquals(5, r.navStatus());
    TrackPoint q = ObservedRows.round(new TrackPoint(T0, 0.000004, -0.000004, 0.05, 359.4, null, null));
    assertEquals(0.0, q.lat(), 0.0);
    assertEquals(Double.doubleToLongBits(0.0), Double.doubleToLongBits(q.lon()), "no negative zero");
    assertEquals(0.1, q.sog(), 0.0);
    assertEquals(359.0, q.cog(), 0.0);
    assertEquals(1.0, ObservedRows.round(new TrackPoint(T0, 0, 0, null, 0.5, null, null)).cog(), 0.0);
    TrackPoint none = ObservedRows.round(new TrackPoint(T0, 0, 0, null, null, null, null));
    assertNull(none.sog());
    assertNull(none.cog());
    assertEquals("102.2", ObservedRows.fmt(102.2, 1));
    assertEquals("0.0", ObservedRows.fmt(-0.04, 1));
  }

  @Test
  void theRowsAreRoundedAfterSelection() {
    List<TrackPoint> pts = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      pts.add(new TrackPoint(T0 + 60_000L * i + 500, 55.0 + 0.0000049 * i, 12.0 + 0.001 * i, 10.04, 90.4, 90, 0));
    }
    for (TrackPoint r : ObservedRows.of(pts, 10)) {
      assertEquals(0, r.tsMillis() % 1000);
      assertEquals(10.0, r.sog(), 0.0);
      assertEquals(90.0, r.cog(), 0.0);
      assertEquals(r.lat(), Double.parseDouble(String.format(java.util.Locale.ROOT, "%.5f", r.lat())), 0.0);
    }
  }

  /** The text rounding as it was specified first: Java's {@code %.Nf}, "-0.0" shown as "0.0". */
  static String formatted(double v, int decimals) {
    String s = String.format(java.util.Locale.ROOT, "%." + decimals + "f", v);
    return s.matches("-0(\\.0*)?") ? s.substring(1) : s;
  }

  static void assertAsFormatted(double v, int decimals) {
    String want = formatted(v, decimals);
    assertEquals(want, ObservedRows.fmt(v, decimals), () -> "fmt(" + v + ", " + decimals + ")");
    assertEquals(Double.doubleToLongBits(Double.parseDouble(want)),
        Double.doubleToLongBits(ObservedRows.roundHalfUp(v, decimals)), () -> "roundHalfUp(" + v + ", " + decimals + ")");
  }

  @Test
  void fastRoundingEqualsJavasFormatting() {
    java.util.Random rnd = new java.util.Random(14);
    double[] special = {0.0, -0.0, 0.5, -0.5, 1.5, 2.5, 0.05, 0.15, 0.25, 0.35, 1.005, 12.35, 359.5, 359.6, -0.04,
        -0.06, 0.000005, -0.000005, 55.123455, -12.000004, 1e-12, 99999.5, 1e9, 1e12, 1.7976931348623157e308,
        Double.MIN_VALUE, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
    for (int d = 0; d <= 10; d++) {
      for (double v : special) {
        assertAsFormatted(v, d);
      }
    }
    int[] decimals = {0, 1, 2, 5};
    for (int i = 0; i < 300_000; i++) {
      int d = decimals[i % decimals.length];
      double scale = Math.pow(10, rnd.nextInt(8) - 3); // |v| from 1e-3 to 1e4
      double v = (rnd.nextDouble() * 2 - 1) * scale;
      assertAsFormatted(v, d);
      // values at and next to ties: (k + 0.5) / 10^d, as the decimal text and one and two ulps away
      long k = rnd.nextInt(40_000_000);
      double tie = Double.parseDouble(tieText(k, d));
      assertAsFormatted(tie, d);
      assertAsFormatted(-tie, d);
      assertAsFormatted(Math.nextUp(tie), d);
      assertAsFormatted(Math.nextDown(tie), d);
      assertAsFormatted(Math.nextUp(Math.nextUp(tie)), d);
      assertAsFormatted(Math.nextDown(Math.nextDown(tie)), d);
      // realistic AIS values: lat/lon in 1e-6 degree steps, SOG and COG in 0.01
      assertAsFormatted(rnd.nextInt(180_000_000) / 1e6 - 90, 5);
      assertAsFormatted(rnd.nextInt(102_300) / 100.0, 1);
      assertAsFormatted(rnd.nextInt(36_000) / 100.0, 0);
    }
  }

  /** The decimal text of (k + 0.5) / 10^d: k's digits with d decimals, then a 5. */
  static String tieText(long k, int d) {
    String digits = String.format(java.util.Locale.ROOT, "%0" + (d + 1) + "d", k);
    return digits.substring(0, digits.length() - d) + "." + digits.substring(digits.length() - d) + "5";
  }
}
