package io.aisdistill.common.qa;

import static io.aisdistill.common.qa.TestWindows.p;
import static io.aisdistill.common.qa.TestWindows.rows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.aisdistill.common.track.Geo;
import io.aisdistill.common.track.TrackPoint;
import io.aisdistill.common.track.TrackWindow;
import net.sf.geographiclib.Geodesic;
import net.sf.geographiclib.GeodesicData;
import org.junit.jupiter.api.Test;

/**
 * The multi-row facts on hand-built rows (docs/qa-facts.md, section 3): each case is small enough
 * to work out by hand, and each expectation is what the definition gives, not what the code does.
 */
class WindowFactsRowsTest {
  static final double LAT = 55.0;
  static final double LON = 11.0;
  static final double T8 = 8 * 3600.0; // 08:00:00 as seconds since midnight

  /** A report {@code s} seconds after 08:00:00, {@code nm} nautical miles due north of (LAT, LON). */
  static TrackPoint at(long s, double nm, Double sog, Double cog, Integer heading, Integer nav) {
    GeodesicData g = Geodesic.WGS84.Direct(LAT, LON, 0.0, nm * Geo.METRES_PER_NM);
    return p(s, g.lat2, g.lon2, sog, cog, heading, nav);
  }

  static TrackPoint at(long s, double nm, Double sog) {
    return at(s, nm, sog, 0.0, null, null);
  }

  static TrackPoint still(long s, Double sog, Integer nav) {
    return p(s, LAT, LON, sog, null, null, nav);
  }

  static Object v(String key, TrackWindow w) {
    return WindowFacts.value(key, w);
  }

  static double d(String key, TrackWindow w) {
    return ((Number) WindowFacts.value(key, w)).doubleValue();
  }

  // ---------------------------------------------------------------- temporal

  @Test
  void durationIntervalsAndTheLongestGap() {
    // intervals 60, 100, 140, 600, 30 s
    TrackWindow odd = rows(at(0, 0, 5.0), at(60, 0.1, 5.0), at(160, 0.2, 5.0), at(300, 0.3, 5.0), at(900, 1.0, 5.0),
        at(930, 1.05, 5.0));
    assertEquals(930 / 60.0, d("duration_min", odd), 1e-9);
    assertEquals(6L, v("report_count", odd));
    assertEquals(100.0, d("median_interval_s", odd), 0.0); // sorted 30 60 [100] 140 600
    assertEquals(10.0, d("max_gap_min", odd), 0.0);
    assertEquals(T8 + 300, d("max_gap_start", odd), 0.0); // the row before the 600 s interval: 08:05:00
    TrackWindow even = rows(at(0, 0, 5.0), at(60, 0.1, 5.0), at(160, 0.2, 5.0), at(300, 0.3, 5.0), at(900, 1.0, 5.0));
    assertEquals(120.0, d("median_interval_s", even), 0.0); // 60 [100 140] 600: (100 + 140) / 2
    // equal longest intervals: the first one
    TrackWindow tie = rows(at(0, 0, 5.0), at(600, 1, 5.0), at(660, 1.1, 5.0), at(1260, 2, 5.0));
    assertEquals(T8, d("max_gap_start", tie), 0.0);
    // seconds are whole: a report at 08:00:59.900 shows 08:00:59
    TrackWindow ms = rows(p(0, LAT, LON, 1.0, 0.0, null, null), new TrackPoint(TestWindows.T0 + 59_900, LAT, LON, 1.0,
        0.0, null, null));
    assertEquals(59 / 60.0, d("duration_min", ms), 1e-12);
  }

  // ---------------------------------------------------------------- kinematics

  @Test
  void halvesAndTrend() {
    // t_mid = 1200: the row at exactly t_mid belongs to the first half
    TrackWindow up = rows(at(0, 0, 5.0), at(600, 1, 6.0), at(1200, 2, 7.0), at(1800, 3, 9.0), at(2400, 4, 10.0));
    assertEquals(6.0, d("sog_first_half_kn", up), 1e-9);
    assertEquals(9.5, d("sog_second_half_kn", up), 1e-9);
    assertEquals("accelerating", v("speed_trend", up));
    TrackWindow down = rows(at(0, 0, 10.0), at(600, 1, 9.0), at(1200, 2, 7.0), at(1800, 3, 6.0), at(2400, 4, 5.0));
    assertEquals("decelerating", v("speed_trend", down));
    TrackWindow steady = rows(at(0, 0, 6.0), at(600, 1, 6.0), at(1200, 2, 6.0), at(1800, 3, 6.5), at(2400, 4, 7.0));
    assertEquals("steady", v("speed_trend", steady)); // +0.75
    TrackWindow edge = rows(at(0, 0, 5.0), at(600, 1, 5.0), at(1200, 2, 5.0), at(1800, 3, 6.0), at(2400, 4, 6.0));
    assertEquals("accelerating", v("speed_trend", edge)); // exactly +1.0
    // t_mid = 150 (0, 100 | 300); a half without valid SOG: no halves, no trend
    TrackWindow oddMid = rows(at(0, 0, 4.0), at(100, 0.1, 6.0), at(300, 0.3, 8.0));
    assertEquals(5.0, d("sog_first_half_kn", oddMid), 1e-9);
    assertEquals(8.0, d("sog_second_half_kn", oddMid), 1e-9);
    TrackWindow half = rows(at(0, 0, 4.0), at(100, 0.1, 6.0), at(300, 0.3, null), at(400, 0.4, 102.2));
    assertNull(v("sog_first_half_kn", half));
    assertNull(v("sog_second_half_kn", half));
    assertNull(v("speed_trend", half));
  }

  @Test
  void sogStatisticsLeaveOutMissingAnd102Point2() {
    TrackWindow w = rows(at(0, 0, 10.0), at(60, 0.2, 102.2), at(120, 0.4, 12.0), at(180, 0.6, 14.5), at(240, 0.8, null),
        at(300, 1.0, 15.0));
    assertEquals((10.0 + 12.0 + 14.5 + 15.0) / 4, d("sog_mean_kn", w), 1e-9);
    assertEquals(15.0, d("sog_max_kn", w), 0.0);
    assertEquals(T8 + 300, d("sog_max_time", w), 0.0);
    assertEquals(10.0, d("sog_min_kn", w), 0.0);
    // only consecutive rows with valid SOG both: 12.0 -> 14.5 (not 10 -> 102.2, not 14.5 -> 15 across '-')
    assertEquals(2.5, d("largest_sog_change_kn", w), 1e-9);
    assertEquals(1L, v("sog_missing", w));
    assertEquals(1L, v("sog_overflow_reports", w));
    assertEquals(0.0, d("stationary_pct", w), 0.0);
    TrackWindow none = rows(at(0, 0, 102.2), at(60, 0.2, null), at(120, 0.4, 102.2));
    assertNull(v("sog_mean_kn", none));
    assertNull(v("sog_max_kn", none));
    assertNull(v("largest_sog_change_kn", none));
    assertNull(v("stationary_pct", none));
    assertEquals(2L, v("sog_overflow_reports", none));
    assertEquals(1L, v("sog_missing", none));
  }

  @Test
  void firstMaximumAndLargestChange() {
    TrackWindow w = rows(at(0, 0, 8.0), at(60, 0.2, 12.0), at(120, 0.4, 12.0), at(180, 0.6, 9.0));
    assertEquals(T8 + 60, d("sog_max_time", w), 0.0); // first of the two 12.0 rows
    TrackWindow drop = rows(at(0, 0, 10.0), at(60, 0.2, 12.5), at(120, 0.4, 12.0), at(180, 0.5, 7.0));
    assertEquals(5.0, d("largest_sog_change_kn", drop), 1e-9); // a drop counts as much as a rise
  }

  // ---------------------------------------------------------------- route

  @Test
  void distanceDisplacementBearingAndImpliedSpeed() {
    // out 1.2 nm north, back 0.6 nm: distance 1.8, displacement 0.6
    TrackWindow w = rows(at(0, 0, 7.0), at(600, 1.2, 7.0), at(1200, 0.6, 4.0));
    double lat0 = w.track().get(0).lat();
    double lat1 = w.track().get(1).lat();
    double lat2 = w.track().get(2).lat();
    double dist = Geo.distanceNm(lat0, LON, lat1, LON) + Geo.distanceNm(lat1, LON, lat2, LON);
    assertEquals(dist, d("distance_nm", w), 1e-9);
    assertEquals(1.8, d("distance_nm", w), 0.001);
    assertEquals(0.6, d("displacement_nm", w), 0.001);
    assertEquals(0.0, d("bearing_deg", w), 1e-6);
    assertEquals("north", v("bearing_compass", w));
    assertEquals(dist / (1200 / 3600.0), d("implied_speed_kn", w), 1e-9); // 5.4 kn
    // the rows between t_a and t_b (n = 3: rows 0 and 2) cover the whole track
    assertEquals(d("implied_speed_kn", w), d("partial_speed_kn", w), 1e-9);
    // an almost closed track: displacement under 0.05 nm has no bearing
    TrackWindow closed = rows(at(0, 0, 7.0), at(600, 1.2, 7.0), at(1200, 0.04, 7.0));
    assertEquals(0.04, d("displacement_nm", closed), 0.001);
    assertNull(v("bearing_deg", closed));
    assertNull(v("bearing_compass", closed));
    // south-west, from the equator
    TrackWindow sw = rows(p(0, 0.0, 0.0, 10.0, 225.0, null, null), p(3600, -0.1, -0.1, 10.0, 225.0, null, null));
    assertEquals(225.0, d("bearing_deg", sw), 0.5);
    assertEquals("south-west", v("bearing_compass", sw));
    // no time: no implied speed
    TrackWindow instant = rows(at(0, 0, 7.0), at(0, 0.5, 7.0));
    assertNull(v("implied_speed_kn", instant));
    assertEquals(0.5, d("distance_nm", instant), 0.001);
  }

  // ---------------------------------------------------------------- behaviour

  @Test
  void stationaryShare() {
    // valid SOG 0.0 0.4 0.5 3.0: two of four below 0.5 (0.5 itself is not); '-' and 102.2 left out
    TrackWindow w = rows(still(0, 0.0, 5), still(60, 0.4, 5), still(120, 0.5, 5), still(180, 3.0, 5),
        still(240, null, 5), still(300, 102.2, 5));
    assertEquals(50.0, d("stationary_pct", w), 1e-9);
    assertEquals("moored", v("behaviour", w)); // 50 % is stationary
    TrackWindow third = rows(still(0, 0.0, 5), still(60, 0.4, 5), still(120, 0.6, 5), still(180, 3.0, 5),
        still(240, 3.0, 5), still(300, 3.0, 5));
    assertEquals(100.0 / 3, d("stationary_pct", third), 1e-9);
    assertEquals("drifting or loitering", v("behaviour", third)); // not stationary, mean 1.67 kn
  }

  @Test
  void behaviourLabels() {
    assertEquals("at anchor", v("behaviour", rows(still(0, 0.1, 1), still(600, 0.0, 1), still(1200, 0.2, 1))));
    assertEquals("moored", v("behaviour", rows(still(0, 0.1, 5), still(600, 0.0, 5), still(1200, 0.2, 5))));
    // stationary with a status other than 1 or 5, or none: status unknown
    assertEquals("stationary, status unknown",
        v("behaviour", rows(still(0, 0.1, 0), still(600, 0.0, 0), still(1200, 0.2, 0))));
    assertEquals("stationary, status unknown",
        v("behaviour", rows(still(0, 0.1, 7), still(600, 0.0, 7), still(1200, 0.2, 7))));
    assertEquals("stationary, status unknown",
        v("behaviour", rows(still(0, 0.1, null), still(600, 0.0, null), still(1200, 0.2, null))));
    // dominant status: most frequent, ties to the lowest code (1 and 5 twice each -> 1)
    assertEquals("at anchor", v("behaviour", rows(still(0, 0.1, 5), still(60, 0.1, 5), still(120, 0.1, 1),
        still(180, 0.1, 1), still(240, 0.1, 0))));
    // without SOG: implied speed below 1 kn is stationary
    assertEquals("moored", v("behaviour", rows(still(0, null, 5), still(600, null, 5), at(1200, 0.1, null, null, null, 5))));
    // moving: >= 3 kn and straight -> underway; zig-zag or slow -> drifting or loitering
    assertEquals("underway", v("behaviour", rows(at(0, 0, 10.0), at(600, 1.67, 10.0), at(1200, 3.33, 10.0))));
    assertEquals("drifting or loitering",
        v("behaviour", rows(at(0, 0, 8.0), at(600, 1.3, 8.0), at(1200, 0.2, 8.0)))); // straightness 0.08
    assertEquals("drifting or loitering",
        v("behaviour", rows(at(0, 0, 2.0), at(600, 0.33, 2.0), at(1200, 0.67, 2.0)))); // 2 kn
    // without SOG the implied speed decides both ways
    assertEquals("underway", v("behaviour", rows(at(0, 0, null), at(600, 1.0, null), at(1200, 2.0, null)))); // 6 kn
  }

  @Test
  void statusConsistency() {
    // status 0 expects movement (>= 1.0 kn), 1 and 5 expect none (< 1.0 kn); others are not asked
    assertEquals("yes", v("status_consistent", rows(at(0, 0, 8.0, 0.0, null, 0), at(600, 1.3, 8.0, 0.0, null, 0))));
    assertEquals("no", v("status_consistent", rows(still(0, 0.1, 0), still(600, 0.2, 0))));
    assertEquals("yes", v("status_consistent", rows(still(0, 1.0, 0), still(600, 1.0, 0)))); // exactly 1.0 moves
    assertEquals("no", v("status_consistent", rows(still(0, 1.0, 5), still(600, 1.0, 5))));
    assertEquals("yes", v("status_consistent", rows(still(0, 0.9, 1), still(600, 0.9, 1))));
    assertEquals("no", v("status_consistent", rows(at(0, 0, 6.0, 0.0, null, 1), at(600, 1.0, 6.0, 0.0, null, 1))));
    assertNull(v("status_consistent", rows(still(0, 0.1, 7), still(600, 0.1, 7))));
    assertNull(v("status_consistent", rows(still(0, 0.1, null), still(600, 0.1, null))));
    // no SOG: the implied speed (6 kn) against status 5
    assertEquals("no", v("status_consistent", rows(at(0, 0, null, null, null, 5), at(600, 1.0, null, null, null, 5))));
  }

  // ---------------------------------------------------------------- anomaly

  @Test
  void headingAgainstCog() {
    TrackWindow w = rows(
        at(0, 0.0, 8.0, 10.0, 350, 0), // 20 degrees, across north
        at(60, 0.1, 8.0, 160.0, 100, 0), // 60: a disagreement
        at(120, 0.2, 1.9, 90.0, 0, 0), // too slow: left out
        at(180, 0.3, 8.0, 90.0, null, 0), // no heading: left out
        at(240, 0.4, 2.0, 90.0, 45, 0), // 45 is not more than 45
        at(300, 0.5, 102.2, 180.0, 0, 0)); // 102.2 is no speed: left out
    assertEquals(60.0, d("heading_cog_max_diff_deg", w), 1e-9);
    assertEquals(1L, v("heading_cog_disagreements", w));
    TrackWindow slow = rows(at(0, 0, 1.0, 10.0, 200, 0), at(600, 0.1, 1.5, 10.0, 200, 0));
    assertNull(v("heading_cog_max_diff_deg", slow));
    assertNull(v("heading_cog_disagreements", slow));
  }

  @Test
  void teleportNeedsALegOverAQuarterMileAboveFiftyKnots() {
    // 0.2 nm in 10 s = 72 kn: fast, but GPS-noise scale
    TrackWindow noise = rows(at(0, 0, 8.0), at(10, 0.2, 8.0), at(600, 1.5, 8.0));
    assertEquals(72.0, d("max_leg_speed_kn", noise), 0.5); // every leg counts for the fastest leg
    assertEquals("no", v("teleport", noise));
    // 0.3 nm in 10 s = 108 kn
    TrackWindow jump = rows(at(0, 0, 8.0), at(10, 0.3, 8.0), at(600, 1.5, 8.0));
    assertEquals(108.0, d("max_leg_speed_kn", jump), 0.5);
    assertEquals("yes", v("teleport", jump));
    // 1 nm in 120 s = 30 kn: long but plausible
    TrackWindow fast = rows(at(0, 0, 30.0), at(120, 1.0, 30.0), at(240, 2.0, 30.0));
    assertEquals("no", v("teleport", fast));
    // a leg that takes no time has no speed
    TrackWindow same = rows(at(0, 0, 8.0), at(600, 1.3, 8.0), at(600, 3.0, 8.0));
    assertEquals(1.3 / (600 / 3600.0), d("max_leg_speed_kn", same), 0.01);
    assertEquals("no", v("teleport", same));
  }

  @Test
  void overflowAndMissingCounts() {
    TrackWindow w = rows(at(0, 0, 102.2), at(60, 0.1, 102.2), at(120, 0.2, null), at(180, 0.3, 9.0));
    assertEquals(2L, v("sog_overflow_reports", w));
    assertEquals(1L, v("sog_missing", w));
    assertEquals(9.0, d("sog_mean_kn", w), 0.0);
    assertEquals(9.0, d("sog_max_kn", w), 0.0);
  }
}
