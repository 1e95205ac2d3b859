package io.aisdistill.common.qa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aisdistill.common.track.TrackWindow;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fact registry on the realistic test windows: values, formats, tolerances, vocabularies. */
class WindowFactsTest {
  @Test
  void behaviourOfTheTestWindows() {
    assertEquals("moored", WindowFacts.behaviour(TestWindows.mooredFerry()));
    assertEquals("underway", WindowFacts.behaviour(TestWindows.cargoUnderway()));
    // mean SOG 2.7 kn (two stops, 25 % of the rows below 0.5 kn): not stationary, below 3 kn
    assertEquals("drifting or loitering", WindowFacts.behaviour(TestWindows.fishingLoitering()));
    // 7.1 kn; the jump out and back makes the track longer, straightness 0.57 still >= 0.5
    assertEquals("underway", WindowFacts.behaviour(TestWindows.teleportTug()));
    // no SOG at all: the implied speed (4.7 kn) decides
    assertEquals("underway", WindowFacts.behaviour(TestWindows.classBNoSog()));
    assertEquals("yes", WindowFacts.value("status_consistent", TestWindows.mooredFerry()));
    assertEquals("yes", WindowFacts.value("status_consistent", TestWindows.cargoUnderway()));
    assertNull(WindowFacts.value("status_consistent", TestWindows.fishingLoitering())); // status 7
    assertNull(WindowFacts.value("status_consistent", TestWindows.teleportTug())); // dominant status 3
    assertNull(WindowFacts.value("status_consistent", TestWindows.classBNoSog())); // no status
  }

  @Test
  void valuesAndUnits() {
    TrackWindow w = TestWindows.cargoUnderway();
    assertEquals(95.0, (Double) WindowFacts.value("duration_min", w), 1e-9);
    assertEquals(20L, WindowFacts.value("report_count", w));
    assertEquals(300.0, WindowFacts.value("median_interval_s", w));
    assertEquals(14.59, (Double) WindowFacts.value("sog_mean_kn", w), 1e-9); // the rows' SOG, 20 values
    assertEquals(15.4, WindowFacts.value("sog_max_kn", w));
    assertEquals(8 * 3600.0 + 35 * 60, WindowFacts.value("sog_max_time", w)); // 08:35:00
    assertEquals(13.8, WindowFacts.value("sog_min_kn", w));
    assertEquals(23.11, (Double) WindowFacts.value("distance_nm", w), 0.01);
    assertEquals(22.51, (Double) WindowFacts.value("displacement_nm", w), 0.01);
    assertEquals(55.1, (Double) WindowFacts.value("bearing_deg", w), 0.1);
    assertEquals("north-east", WindowFacts.value("bearing_compass", w));
    assertEquals("Liberia", WindowFacts.value("flag_state", w)); // from MID, vessel.flagState null
    assertEquals("cargo", WindowFacts.value("ship_type_group", w));
    assertEquals(294.0, WindowFacts.value("length_m", w));
    assertEquals("no", WindowFacts.value("teleport", w));
    assertEquals(1L, WindowFacts.value("turn_count", w));
    assertEquals("starboard", WindowFacts.value("largest_turn_side", w));
    assertEquals(0L, WindowFacts.value("heading_cog_disagreements", w));
    assertEquals(2.0, WindowFacts.value("heading_cog_max_diff_deg", w));
    TrackWindow tug = TestWindows.teleportTug();
    assertEquals("yes", WindowFacts.value("teleport", tug));
    assertEquals(240.0, (Double) WindowFacts.value("max_leg_speed_kn", tug), 0.1); // 2 nm in 30 s
    assertEquals(21.0, WindowFacts.value("max_gap_min", tug));
    assertEquals(8 * 3600.0 + 12 * 60 + 30, WindowFacts.value("max_gap_start", tug)); // 08:12:30
    assertEquals(9L, WindowFacts.value("heading_cog_disagreements", tug));
    assertEquals(62.0, WindowFacts.value("heading_cog_max_diff_deg", tug)); // heading 152, COG 90
    assertEquals("Panama", WindowFacts.value("flag_state", tug));

    WindowFacts.Fact sog = WindowFacts.get("sog_mean_kn");
    assertEquals("14.6 knots", sog.format(14.63));
    assertEquals("14.6", sog.claim(14.63));
    assertEquals("knots", sog.unit().label());
    assertEquals("1 hour 35 minutes", WindowFacts.get("duration_min").format(95.0));
    assertEquals("42 minutes 30 seconds", WindowFacts.get("duration_min").format(42.5));
    assertEquals("42.5", WindowFacts.get("duration_min").claim(42.5));
    assertEquals("4 minutes 20 seconds", WindowFacts.get("median_interval_s").format(260.0));
    assertEquals("45 seconds", WindowFacts.get("median_interval_s").format(45.0));
    assertEquals("0.45 nautical miles", WindowFacts.get("distance_nm").format(0.447));
    assertEquals("23.1 nautical miles", WindowFacts.get("distance_nm").format(23.108));
    WindowFacts.Fact time = WindowFacts.get("max_gap_start");
    assertEquals(WindowFacts.Unit.TIME, time.unit());
    assertEquals("time", time.unit().label());
    assertEquals("08:12:30 UTC", time.format(29550.0));
    assertEquals("08:12:30", time.claim(29550.9)); // whole seconds, truncated
    assertEquals("62 percent", WindowFacts.get("stationary_pct").format(61.5));
    assertEquals("47 degrees", WindowFacts.get("bearing_deg").format(47.3));
    assertEquals("3", WindowFacts.get("stop_count").format(3L));
    assertEquals("not available", sog.format(null));
    assertNull(sog.claim(null));
  }

  @Test
  void missingFactsAreNull() {
    TrackWindow w = TestWindows.classBNoSog();
    for (String k : List.of("sog_mean_kn", "sog_max_kn", "sog_max_time", "sog_min_kn", "sog_first_half_kn",
        "sog_second_half_kn", "speed_trend", "largest_sog_change_kn", "stationary_pct", "eta_min", "reach_by",
        "status_consistent", "largest_turn_deg", "heading_cog_max_diff_deg", "heading_cog_disagreements",
        "ship_type_group", "length_m", "first_stop_start")) {
      assertNull(WindowFacts.value(k, w), k);
    }
    assertEquals(14L, WindowFacts.value("sog_missing", w));
    assertNotNull(WindowFacts.value("implied_speed_kn", w));
    assertNull(WindowFacts.value("bearing_deg", TestWindows.mooredFerry())); // displacement < 0.05 nm
    assertNull(WindowFacts.value("bearing_compass", TestWindows.mooredFerry()));
    assertThrows(IllegalArgumentException.class, () -> WindowFacts.value("no_such_fact", w));
  }

  @Test
  void factsTheStudentCannotDeriveAreGone() {
    // window-v1 facts the table does not support (or restates verbatim) are no longer in the registry
    for (String k : List.of("ship_type", "ais_class", "nav_status", "n_points", "cog_missing", "heading_missing")) {
      assertNull(WindowFacts.get(k), k);
      assertThrows(IllegalArgumentException.class, () -> WindowFacts.value(k, TestWindows.cargoUnderway()));
    }
    assertNotNull(WindowFacts.get("report_count"));
  }

  @Test
  void compassSectors() {
    assertEquals("north", WindowFacts.compass(359));
    assertEquals("north", WindowFacts.compass(22.4));
    assertEquals("north-east", WindowFacts.compass(22.6));
    assertEquals("north-east", WindowFacts.compass(22.5)); // sector bounds belong to the next sector
    assertEquals("south", WindowFacts.compass(180));
    assertEquals("west", WindowFacts.compass(-90));
    assertEquals("north-west", WindowFacts.compass(315));
    assertEquals("north", WindowFacts.compass(337.5));
  }

  @Test
  void tolerances() {
    WindowFacts.Tolerance sog = WindowFacts.get("sog_mean_kn").tolerance();
    assertTrue(sog.accepts(12.4, 12.0));
    assertTrue(sog.accepts(12.4, 11.8)); // 5 % of 12.4 = 0.62 > 0.5
    assertFalse(sog.accepts(12.4, 11.7));
    assertTrue(sog.accepts(30.0, 31.4)); // 5 % of 30 = 1.5
    WindowFacts.Tolerance bearing = WindowFacts.get("bearing_deg").tolerance();
    assertTrue(bearing.accepts(355, 3));
    assertFalse(bearing.accepts(355, 10));
    WindowFacts.Tolerance count = WindowFacts.get("stop_count").tolerance();
    assertTrue(count.accepts(2, 2));
    assertFalse(count.accepts(2, 3));
    WindowFacts.Tolerance dist = WindowFacts.get("distance_nm").tolerance();
    assertTrue(dist.accepts(0.5, 0.6));
    assertFalse(dist.accepts(0.5, 0.65));
    assertTrue(dist.accepts(20, 21));
    assertFalse(dist.accepts(20, 21.2));
    WindowFacts.Tolerance seconds = WindowFacts.get("median_interval_s").tolerance();
    assertTrue(seconds.accepts(30, 35));
    assertFalse(seconds.accepts(30, 36));
    assertTrue(seconds.accepts(300, 315)); // 5 % of 300
    WindowFacts.Tolerance pct = WindowFacts.get("stationary_pct").tolerance();
    assertTrue(pct.accepts(25, 30));
    assertFalse(pct.accepts(25, 31));
  }

  @Test
  void timesOfDayAreComparedOnTheTwentyFourHourCircle() {
    WindowFacts.Tolerance clock = WindowFacts.get("first_stop_start").tolerance();
    assertEquals(86_400.0, clock.period(), 0.0);
    assertTrue(clock.accepts(29550, 29610)); // 60 s late
    assertFalse(clock.accepts(29550, 29611));
    assertTrue(clock.accepts(86_370, 30)); // 23:59:30 vs 00:00:30
    assertEquals(60.0, clock.deviation(86_370, 30), 1e-9);
    assertFalse(clock.accepts(86_370, 31));
    assertEquals(60.0, clock.allowed(80_000), 0.0); // no relative part
    for (String k : List.of("max_gap_start", "sog_max_time", "first_stop_start")) {
      assertEquals(clock, WindowFacts.get(k).tolerance(), k);
    }
  }

  @Test
  void registryIsWellFormed() {
    for (WindowFacts.Fact f : WindowFacts.all().values()) {
      assertNotNull(f.category(), f.key());
      if (f.kind() == WindowFacts.ClaimKind.NUMBER) {
        assertNotNull(f.tolerance(), f.key());
        assertNotNull(f.unit().label(), f.key());
      } else {
        assertFalse(f.vocabulary().isEmpty(), f.key());
      }
      assertEquals(f.category() != Category.IDENTITY, f.multiRow(), f.key());
    }
    for (Category c : Category.values()) {
      assertTrue(WindowFacts.all().values().stream().anyMatch(f -> f.category() == c), c.label());
    }
  }

  @Test
  void normalizeAndFindTerm() {
    assertEquals("north east", WindowFacts.normalize("North-East"));
    assertEquals("cote d ivoire", WindowFacts.normalize("Côte d'Ivoire"));
    assertEquals("Papua New Guinea",
        WindowFacts.findTerm(WindowFacts.get("flag_state").vocabulary(), "Flag: Papua New Guinea."));
    assertEquals("Nigeria", WindowFacts.findTerm(WindowFacts.get("flag_state").vocabulary(), "Nigeria"));
    assertEquals("Niger", WindowFacts.findTerm(WindowFacts.get("flag_state").vocabulary(), "Niger"));
    assertEquals("Portugal", WindowFacts.findTerm(WindowFacts.get("flag_state").vocabulary(), "Portugal (Madeira)"));
  }

  @Test
  void toleranceDeviationAndAllowed() {
    WindowFacts.Tolerance speed = WindowFacts.get("sog_mean_kn").tolerance();
    assertEquals(0.5, speed.allowed(4.0), 1e-12); // abs floor
    assertEquals(1.0, speed.allowed(20.0), 1e-12); // 5 % of 20
    assertEquals(0.7, speed.deviation(10.0, 10.7), 1e-12);
    assertFalse(speed.accepts(10.0, 10.7));
    WindowFacts.Tolerance angle = WindowFacts.get("bearing_deg").tolerance();
    assertEquals(10.0, angle.deviation(355, 5), 1e-12); // shorter arc
    assertEquals(10.0, angle.deviation(5, 355), 1e-12);
    assertTrue(angle.accepts(355, 5));
    assertFalse(angle.accepts(355, 6));
  }

  @Test
  void behaviourAndTurnSynonyms() {
    Map<String, String> v = WindowFacts.get("behaviour").vocabulary();
    assertEquals("underway", WindowFacts.findTerm(v, "Under way."));
    assertEquals("underway", WindowFacts.findTerm(v, "It is transiting the strait."));
    assertEquals("at anchor", WindowFacts.findTerm(v, "It was anchored."));
    assertEquals("moored", WindowFacts.findTerm(v, "Berthed alongside"));
    assertEquals("drifting or loitering", WindowFacts.findTerm(v, "It was loitering on the fishing ground."));
    assertEquals("stationary, status unknown", WindowFacts.findTerm(v, "Stationary, status unknown."));
    assertEquals("stationary, status unknown", WindowFacts.findTerm(v, "It is stationary."));
    assertEquals(WindowFacts.BEHAVIOURS.size(), v.values().stream().distinct().count());
    Map<String, String> side = WindowFacts.get("largest_turn_side").vocabulary();
    assertEquals("port", WindowFacts.findTerm(side, "To the left."));
    assertEquals("starboard", WindowFacts.findTerm(side, "clockwise"));
    assertEquals("port", WindowFacts.findTerm(side, "anticlockwise"));
    Map<String, String> trend = WindowFacts.get("speed_trend").vocabulary();
    assertEquals("decelerating", WindowFacts.findTerm(trend, "It is slowing down."));
    assertEquals("steady", WindowFacts.findTerm(trend, "About the same speed."));
  }
}
