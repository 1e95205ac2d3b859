package io.aisdistill.common.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.aisdistill.common.qa.WindowFacts;
import org.junit.jupiter.api.Test;

/** Answer-text parsing (named *Judge* so the judge test filter runs it). */
class AnswerParserJudgeTest {
  private static Object parse(String key, String answer) {
    return AnswerParser.parse(WindowFacts.get(key), answer);
  }

  private static double num(String key, String answer) {
    return ((Number) parse(key, answer)).doubleValue();
  }

  @Test
  void speeds() {
    assertEquals(12.4, num("sog_mean_kn", "12.4 kn"), 1e-9);
    assertEquals(12.4, num("sog_mean_kn", "12.4 knots"), 1e-9);
    assertEquals(12.0, num("sog_mean_kn", "approximately 12 knots"), 1e-9);
    assertEquals(12.4, num("sog_mean_kn", "The mean SOG was 12.4kts over 95 minutes"), 1e-9);
    assertEquals(10.0, num("sog_mean_kn", "18.52 km/h"), 1e-9);
    assertEquals(7.0, num("sog_mean_kn", "7"), 1e-9);
    assertNull(parse("sog_mean_kn", "fast"));
  }

  @Test
  void durations() {
    assertEquals(65.0, num("duration_min", "1 hour 5 minutes"), 1e-9);
    assertEquals(65.0, num("duration_min", "65 min"), 1e-9);
    assertEquals(95.0, num("duration_min", "1 h 35 min"), 1e-9);
    assertEquals(95.0, num("duration_min", "It lasted 1 hour and 35 minutes (with 180 reports)."), 1e-9);
    assertEquals(90.0, num("duration_min", "1.5 hours"), 1e-9);
    assertEquals(2.0, num("duration_min", "120 seconds"), 1e-9);
    assertEquals(260.0, num("median_interval_s", "4 minutes 20 seconds"), 1e-9);
    assertEquals(30.0, num("median_interval_s", "every 30 s"), 1e-9);
  }

  @Test
  void distancesAnglesCounts() {
    assertEquals(3.2, num("distance_nm", "3.2 nautical miles"), 1e-9);
    assertEquals(3.2, num("distance_nm", "about 3.2 NM"), 1e-9);
    assertEquals(1.0, num("distance_nm", "1.852 km"), 1e-9);
    assertEquals(47.0, num("bearing_deg", "north-east (47 degrees)"), 1e-9);
    assertEquals(47.0, num("bearing_deg", "047°"), 1e-9);
    assertEquals(183.0, num("length_m", "183 metres"), 1e-9);
    assertEquals(3L, parse("stop_count", "It stopped 3 times in 2.5 hours."));
    assertEquals(0L, parse("stop_count", "No stops."));
    assertEquals(1234L, parse("report_count", "1,234 reports"));
    assertEquals(24L, parse("report_count", "The table lists 24 reports."));
    assertEquals(62.0, num("stationary_pct", "62 percent of the rows"), 1e-9);
    assertEquals(62.5, num("stationary_pct", "62.5 %"), 1e-9);
  }

  @Test
  void categoriesAndYesNo() {
    assertEquals("north-east", parse("bearing_compass", "North-east (47 degrees)."));
    assertEquals("north-east", parse("bearing_compass", "It headed northeast."));
    assertEquals("north", parse("bearing_compass", "Due north."));
    assertEquals("at anchor", parse("behaviour", "The ship was anchored off the port."));
    assertEquals("drifting or loitering", parse("behaviour", "It was loitering on the fishing ground."));
    assertEquals("underway", parse("behaviour", "Under way."));
    assertEquals("high-speed craft", parse("ship_type_group", "An HSC."));
    assertEquals("United States", parse("flag_state", "The United States of America."));
    assertEquals("port", parse("largest_turn_side", "To port (45 degrees)."));
    assertEquals("accelerating", parse("speed_trend", "Accelerating: 6.0 knots then 9.5 knots."));
    assertEquals("stationary, status unknown", parse("behaviour", "Stationary, status unknown."));
    assertEquals("yes", parse("reach_by", "Yes, it needs 23 minutes."));
    assertEquals("no", parse("status_consistent", "No: status 5 but 8.0 knots."));
    assertEquals("yes", parse("teleport", "Yes: 412 knots."));
    assertEquals("no", parse("teleport", "No."));
    assertNull(parse("teleport", "Maybe."));
  }

  @Test
  void timesOfDay() {
    assertEquals(8 * 3600 + 12 * 60 + 30.0, num("max_gap_start", "At 08:12:30 UTC."), 1e-9);
    assertEquals(8 * 3600 + 5 * 60.0, num("first_stop_start", "It stops at 8:05."), 1e-9);
    assertEquals(23 * 3600 + 59 * 60 + 59.0, num("sog_max_time", "23:59:59"), 1e-9);
    assertEquals(0.0, num("sog_max_time", "00:00:00 UTC"), 1e-9);
    // the first time of day wins, a date before it is no time
    assertEquals(12 * 3600 + 30.0, num("max_gap_start", "On 2024-06-02 12:00:30, for 21 minutes (until 12:21:30)."), 1e-9);
    // not a time of day: durations, numbers, impossible clocks
    assertNull(parse("max_gap_start", "After 21 minutes."));
    assertNull(parse("max_gap_start", "12.5"));
    assertNull(parse("max_gap_start", "24:10"));
    assertNull(parse("max_gap_start", "10:61"));
    assertNull(parse("max_gap_start", "at 1:2:3:4"));
  }
}
