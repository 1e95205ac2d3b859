package io.aisdistill.common.qa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aisdistill.common.track.TrackWindow;
import org.junit.jupiter.api.Test;

class WindowFactsTest {
  @Test
  void behaviourRule() {
    assertEquals("moored", WindowFacts.behaviour(TestWindows.mooredFerry()));
    assertEquals("underway", WindowFacts.behaviour(TestWindows.cargoUnderway()));
    assertEquals("drifting or loitering", WindowFacts.behaviour(TestWindows.fishingLoitering()));
    assertEquals("underway", WindowFacts.behaviour(TestWindows.teleportTug()));
    assertEquals("underway", WindowFacts.behaviour(TestWindows.classBNoSog()));
    TestWindows.B b = new TestWindows.B();
    b.stationary = 0.9;
    b.dom = 1;
    b.sogMean = 0.1;
    assertEquals("at anchor", WindowFacts.behaviour(b.build()));
    b.dom = 0; // stationary but "under way using engine": not moored / anchored
    assertEquals("drifting or loitering", WindowFacts.behaviour(b.build()));
  }

  @Test
  void valuesAndUnits() {
    TrackWindow w = TestWindows.cargoUnderway();
    assertEquals(95.0, (Double) WindowFacts.value("duration_min", w), 1e-9);
    assertEquals("north-east", WindowFacts.value("bearing_compass", w));
    assertEquals("Liberia", WindowFacts.value("flag_state", w)); // from MID, vessel.flagState null
    assertEquals("cargo", WindowFacts.value("ship_type_group", w));
    assertEquals("Cargo, hazardous category A", WindowFacts.value("ship_type", w));
    assertEquals("no", WindowFacts.value("teleport", w));
    assertEquals(180L, WindowFacts.value("n_points", w));
    assertEquals("yes", WindowFacts.value("teleport", TestWindows.teleportTug()));
    WindowFacts.Fact sog = WindowFacts.get("sog_mean_kn");
    assertEquals("14.6 knots", sog.format(14.63));
    assertEquals("14.6", sog.claim(14.63));
    assertEquals("knots", sog.unit().label());
    assertEquals("1 hour 35 minutes", WindowFacts.get("duration_min").format(95.0));
    assertEquals("4 minutes 20 seconds", WindowFacts.get("median_interval_s").format(260.0));
    assertEquals("0.45 nautical miles", WindowFacts.get("distance_nm").format(0.447));
    assertEquals("class B", WindowFacts.get("ais_class").format("B"));
  }

  @Test
  void missingFactsAreNull() {
    TrackWindow w = TestWindows.classBNoSog();
    assertNull(WindowFacts.value("sog_mean_kn", w));
    assertNull(WindowFacts.value("ship_type_group", w));
    assertNull(WindowFacts.value("ship_type", w));
    assertNull(WindowFacts.value("length_m", w));
    assertNull(WindowFacts.value("heading_cog_disagreements", w));
    assertNull(WindowFacts.value("bearing_deg", TestWindows.mooredFerry()));
    assertThrows(IllegalArgumentException.class, () -> WindowFacts.value("no_such_fact", w));
  }

  @Test
  void compassSectors() {
    assertEquals("north", WindowFacts.compass(359));
    assertEquals("north", WindowFacts.compass(22.4));
    assertEquals("north-east", WindowFacts.compass(22.6));
    assertEquals("south", WindowFacts.compass(180));
    assertEquals("west", WindowFacts.compass(-90));
    assertEquals("north-west", WindowFacts.compass(315));
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
  void navStatusSynonyms() {
    java.util.Map<String, String> v = WindowFacts.get("nav_status").vocabulary();
    assertEquals("under way using engine", WindowFacts.findTerm(v, "Underway."));
    assertEquals("under way sailing", WindowFacts.findTerm(v, "Under way sailing"));
    assertEquals("at anchor", WindowFacts.findTerm(v, "It was anchored."));
    assertEquals("moored", WindowFacts.findTerm(v, "Berthed alongside"));
    assertEquals("engaged in fishing", WindowFacts.findTerm(v, "fishing"));
    assertEquals("power-driven vessel pushing ahead or towing alongside",
        WindowFacts.findTerm(v, "power-driven vessel pushing ahead or towing alongside"));
  }
}
