package io.aisdistill.common.qa;

import static io.aisdistill.common.qa.TestWindows.p;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aisdistill.common.track.Geo;
import io.aisdistill.common.track.TrackPoint;
import io.aisdistill.common.track.TrackWindow;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import net.sf.geographiclib.Geodesic;
import net.sf.geographiclib.GeodesicData;
import org.junit.jupiter.api.Test;

/** Stops, turns, partial-speed rows and ETA targets derived from observed rows (docs/qa-facts.md, section 3). */
class ObservationTest {
  static final double LAT = 55.5;
  static final double LON = 11.0;

  /** A report {@code s} seconds after T0, {@code metres} due north of (LAT, LON), SOG 0.1. */
  static TrackPoint north(long s, double metres) {
    GeodesicData g = Geodesic.WGS84.Direct(LAT, LON, 0.0, metres);
    return p(s, g.lat2, g.lon2, 0.1, null, null, 5);
  }

  /** Moving rows 5 minutes apart with the given COGs (null = not available) and SOGs. */
  static TrackWindow courses(Double[] cog, double[] sog) {
    List<TrackPoint> rows = new ArrayList<>();
    for (int i = 0; i < cog.length; i++) {
      rows.add(p(300L * i, LAT + 0.02 * i, LON, sog[i], cog[i], null, 0));
    }
    return TestWindows.rows(rows.toArray(TrackPoint[]::new));
  }

  static double[] fill(int n, double v) {
    double[] a = new double[n];
    java.util.Arrays.fill(a, v);
    return a;
  }

  static TrackWindow courses(Double... cog) {
    return courses(cog, fill(cog.length, 8.0));
  }

  static List<long[]> stops(TrackWindow w) {
    return Observation.of(w).stops().stream().map(s -> new long[] {s.first(), s.last(), s.durationS()}).toList();
  }

  static void assertStops(List<long[]> expected, TrackWindow w) {
    List<long[]> got = stops(w);
    assertEquals(expected.size(), got.size(), "stops");
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(java.util.Arrays.toString(expected.get(i)), java.util.Arrays.toString(got.get(i)));
    }
  }

  @Test
  void stopsFollowTheScanIncludingAStopThatEndsTheWindow() {
    TrackWindow w = TestWindows.rows(
        north(0, 0), north(120, 10), north(240, 20), north(360, 30), // rows 0-3: 360 s within 30 m
        north(480, 1000), north(540, 1030), north(740, 1050), // rows 4-6: within 50 m but only 260 s
        north(900, 2000), north(1000, 2020), north(1300, 2040)); // rows 7-9: 400 s, up to the last row
    assertStops(List.of(new long[] {0, 3, 360}, new long[] {7, 9, 400}), w);
    assertEquals(2L, WindowFacts.value("stop_count", w));
    assertEquals(8 * 3600.0, WindowFacts.value("first_stop_start", w)); // 08:00:00
    assertEquals(360 / 60.0, (Double) WindowFacts.value("first_stop_min", w), 1e-9);
    assertEquals(400 / 60.0, (Double) WindowFacts.value("longest_stop_min", w), 1e-9);
    assertEquals(760 / 60.0, (Double) WindowFacts.value("stopped_min", w), 1e-9);
  }

  @Test
  void aFailedStartMovesTheScanOnByOneRow() {
    // rows 0-2 span 130 m, so the scan from row 0 ends at row 1 after 100 s: no stop; from row 1,
    // rows 1-3 stay within 70 m for 350 s: a stop starting at row 1 (not at row 2 = j + 1)
    TrackWindow w = TestWindows.rows(north(0, 0), north(100, 60), north(200, 130), north(450, 100),
        north(600, 900));
    assertStops(List.of(new long[] {1, 3, 350}), w);
    assertEquals(8 * 3600.0 + 100, WindowFacts.value("first_stop_start", w)); // 08:01:40
  }

  @Test
  void theDiameterIsOfTheWholeSetNotOfConsecutiveRows() {
    // each row 60 m from the previous, 400 s apart: any three rows span 120 m
    TrackWindow w = TestWindows.rows(north(0, 0), north(400, 60), north(800, 120), north(1200, 180));
    assertStops(List.of(new long[] {0, 1, 400}, new long[] {2, 3, 400}), w);
    assertEquals(800 / 60.0, (Double) WindowFacts.value("stopped_min", w), 1e-9);
  }

  @Test
  void noStopsWhileMoving() {
    TrackWindow w = TestWindows.cargoUnderway();
    assertTrue(Observation.of(w).stops().isEmpty());
    assertEquals(0L, WindowFacts.value("stop_count", w));
    assertEquals(0.0, WindowFacts.value("stopped_min", w));
    assertNull(WindowFacts.value("first_stop_start", w));
    assertNull(WindowFacts.value("longest_stop_min", w));
  }

  @Test
  void signedCourseChangeFollowsTheSpecFormula() {
    assertEquals(20.0, Observation.signedChange(350, 10), 1e-9);
    assertEquals(-20.0, Observation.signedChange(10, 350), 1e-9);
    assertEquals(0.0, Observation.signedChange(90, 90), 1e-9);
    assertEquals(179.0, Observation.signedChange(0, 179), 1e-9);
    // ((c1 - c0 + 540) mod 360) - 180 lies in [-180, 180): a reversal is -180, to port
    assertEquals(-180.0, Observation.signedChange(10, 190), 1e-9);
    assertEquals(-180.0, Observation.signedChange(190, 10), 1e-9);
    TrackWindow uTurn = courses(0.0, 180.0);
    assertEquals(180.0, (Double) WindowFacts.value("largest_turn_deg", uTurn), 1e-9);
    assertEquals("port", WindowFacts.value("largest_turn_side", uTurn));
  }

  @Test
  void turnsAreSameSideRunsOfChangesOfFiveDegreesOrMore() {
    // +20 +20 (across north), 0 ends the run: a 40-degree turn to starboard; then -5 -10 -5 = -20: no turn
    TrackWindow w = courses(350.0, 10.0, 30.0, 30.0, 25.0, 15.0, 10.0);
    Observation o = Observation.of(w);
    assertEquals(6, o.courseChanges().size());
    assertEquals(1, o.turns().size());
    assertEquals(40.0, o.turns().get(0).sumDeg(), 1e-9);
    assertEquals(0, o.turns().get(0).firstChange());
    assertEquals(1, o.turns().get(0).lastChange());
    assertEquals(1L, WindowFacts.value("turn_count", w));
    assertEquals(40.0, (Double) WindowFacts.value("largest_turn_deg", w), 1e-9);
    assertEquals("starboard", WindowFacts.value("largest_turn_side", w));
    assertEquals(60.0, (Double) WindowFacts.value("total_turn_deg", w), 1e-9);

    TrackWindow port = courses(30.0, 10.0, 350.0, 330.0);
    assertEquals(1L, WindowFacts.value("turn_count", port));
    assertEquals(60.0, (Double) WindowFacts.value("largest_turn_deg", port), 1e-9);
    assertEquals("port", WindowFacts.value("largest_turn_side", port));

    // a change below 5 degrees ends a run: +20 | +4 | +20 +20 -> one turn of 40, from the third row
    TrackWindow small = courses(0.0, 20.0, 24.0, 44.0, 64.0);
    assertEquals(1, Observation.of(small).turns().size());
    assertEquals(2, Observation.of(small).turns().get(0).firstChange());
    assertEquals(40.0, (Double) WindowFacts.value("largest_turn_deg", small), 1e-9);

    // a change of side ends a run: +20 +15 | -20 -15: two runs of 35, the first (starboard) is the largest
    TrackWindow zigzag = courses(0.0, 20.0, 35.0, 15.0, 0.0);
    assertEquals(2L, WindowFacts.value("turn_count", zigzag));
    assertEquals("starboard", WindowFacts.value("largest_turn_side", zigzag));
    assertEquals(70.0, (Double) WindowFacts.value("total_turn_deg", zigzag), 1e-9);
  }

  @Test
  void aRowThatIsNotMovingBreaksARun() {
    // SOG 1.0 on the middle row: only 0->20 and 60->80 are course changes, two runs of 20
    TrackWindow slow = courses(new Double[] {0.0, 20.0, 40.0, 60.0, 80.0}, new double[] {8, 8, 1.0, 8, 8});
    assertEquals(2, Observation.of(slow).courseChanges().size());
    assertEquals(0L, WindowFacts.value("turn_count", slow));
    assertNull(WindowFacts.value("largest_turn_deg", slow));
    assertNull(WindowFacts.value("largest_turn_side", slow));
    assertEquals(40.0, (Double) WindowFacts.value("total_turn_deg", slow), 1e-9);
    // the same rows all moving: +20 x 4 = one turn of 80
    assertEquals(80.0, (Double) WindowFacts.value("largest_turn_deg", courses(0.0, 20.0, 40.0, 60.0, 80.0)), 1e-9);
    // COG not available, or SOG 102.2 (not a speed), also stops a row from moving
    assertEquals(0L, WindowFacts.value("turn_count", courses(0.0, 20.0, null, 40.0, 60.0)));
    TrackWindow overflow = courses(new Double[] {0.0, 20.0, 40.0}, new double[] {8, 102.2, 8});
    assertTrue(Observation.of(overflow).courseChanges().isEmpty());
    assertNull(WindowFacts.value("total_turn_deg", overflow));
    assertEquals(0L, WindowFacts.value("turn_count", overflow));
  }

  @Test
  void partialSpeedRows() {
    for (int n = 2; n <= 12; n++) {
      List<TrackPoint> rows = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        rows.add(p(60L * i * i + 60L * i, LAT + 0.01 * i, LON, 10.0, 0.0, null, 0)); // uneven intervals
      }
      TrackWindow w = TestWindows.rows(rows.toArray(TrackPoint[]::new));
      int[] ab = Observation.of(w).partialRows();
      int a = (n - 1) / 4;
      assertEquals(a, ab[0], "n=" + n);
      assertEquals(n - 1 - a, ab[1], "n=" + n);
      double nm = 0;
      for (int i = a + 1; i <= n - 1 - a; i++) {
        nm += Geo.distanceNm(rows.get(i - 1).lat(), LON, rows.get(i).lat(), LON);
      }
      double hours = (rows.get(n - 1 - a).tsMillis() - rows.get(a).tsMillis()) / 3_600_000.0;
      assertEquals(nm / hours, (Double) WindowFacts.value("partial_speed_kn", w), 1e-9, "n=" + n);
    }
    assertEquals("[2, 6]", java.util.Arrays.toString(Observation.of(TestWindows.rows(
        p(0, 55, 11, null, null, null, null), p(60, 55.01, 11, null, null, null, null),
        p(120, 55.02, 11, null, null, null, null), p(180, 55.03, 11, null, null, null, null),
        p(240, 55.04, 11, null, null, null, null), p(300, 55.05, 11, null, null, null, null),
        p(360, 55.06, 11, null, null, null, null), p(420, 55.07, 11, null, null, null, null),
        p(480, 55.08, 11, null, null, null, null))).partialRows()));
    // rows a and b at the same second: no speed
    TrackWindow same = TestWindows.rows(p(0, 55, 11, 1.0, 0.0, null, null), p(0, 55.001, 11, 1.0, 0.0, null, null),
        p(0, 55.002, 11, 1.0, 0.0, null, null));
    assertNull(Observation.of(same).partialRows());
    assertNull(WindowFacts.value("partial_speed_kn", same));
  }

  static int leadMinutes(String windowId) throws Exception {
    byte[] h = MessageDigest.getInstance("SHA-256").digest((windowId + "|eta").getBytes(StandardCharsets.UTF_8));
    long x = Long.parseLong(HexFormat.of().formatHex(h).substring(0, 8), 16);
    int m = (int) (x % 36);
    return m < 18 ? 10 + m : 15 + m;
  }

  @Test
  void etaTargetsLieTenToTwentySevenOrThirtyThreeToFiftyMinutesAhead() throws Exception {
    List<TrackPoint> rows = List.of(p(0, 55.0, 11.0, 11.8, 40.0, 41, 0), p(300, 55.0127, 11.0186, 12.4, 45.0, 46, 0));
    int yes = 0;
    int no = 0;
    for (int k = 0; k < 200; k++) {
      TrackWindow w = TestWindows.window("w" + k, 219000001L, null, rows);
      Observation o = Observation.of(w);
      double[] target = o.etaTarget();
      assertNotNull(target);
      int lead = (int) target[2];
      assertEquals(leadMinutes(w.windowId()), lead, w.windowId());
      assertTrue(lead >= 10 && lead <= 27 || lead >= 33 && lead <= 50, "lead " + lead);
      // the target: lead minutes at the last SOG along the last COG, shown with 5 decimals
      GeodesicData g = Geodesic.WGS84.Direct(55.0127, 11.0186, 45.0, 12.4 * lead / 60.0 * Geo.METRES_PER_NM);
      assertEquals(g.lat2, target[0], 0.000005 + 1e-12);
      assertEquals(g.lon2, target[1], 0.000005 + 1e-12);
      assertEquals(target[0], Double.parseDouble(String.format(java.util.Locale.ROOT, "%.5f", target[0])), 0.0);
      double eta = (Double) WindowFacts.value("eta_min", w);
      assertEquals(lead, eta, 0.02);
      assertEquals(o.time(1) + 1800, o.etaDeadline());
      String reach = (String) WindowFacts.value("reach_by", w);
      assertEquals(lead <= 27 ? "yes" : "no", reach, "lead " + lead);
      if (reach.equals("yes")) {
        yes++;
      } else {
        no++;
      }
    }
    assertTrue(yes > 60 && no > 60, "yes " + yes + ", no " + no);
  }

  @Test
  void noEtaQuestionUnlessTheLastRowMoves() {
    for (TrackPoint last : List.of(p(300, 55.01, 11.0, 1.9, 0.0, null, 0), p(300, 55.01, 11.0, 12.0, null, null, 0),
        p(300, 55.01, 11.0, 102.2, 0.0, null, 0), p(300, 55.01, 11.0, null, 0.0, null, 0))) {
      TrackWindow w = TestWindows.rows(p(0, 55.0, 11.0, 12.0, 0.0, null, 0), last);
      assertNull(Observation.of(w).etaTarget(), String.valueOf(last));
      assertNull(WindowFacts.value("eta_min", w));
      assertNull(WindowFacts.value("reach_by", w));
    }
    // SOG exactly 2.0 moves
    assertNotNull(Observation.of(TestWindows.rows(p(0, 55.0, 11.0, 12.0, 0.0, null, 0),
        p(300, 55.01, 11.0, 2.0, 0.0, null, 0))).etaTarget());
  }
}
