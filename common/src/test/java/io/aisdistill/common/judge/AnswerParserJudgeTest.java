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
    assertEquals(1234L, parse("n_points", "1,234 reports"));
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
    assertEquals("A", parse("ais_class", "It uses Class A."));
    assertEquals("yes", parse("teleport", "Yes: 412 knots."));
    assertEquals("no", parse("teleport", "No."));
    assertNull(parse("teleport", "Maybe."));
  }
}
