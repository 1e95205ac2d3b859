package io.aisdistill.common.qa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aisdistill.common.judge.GroundedJudge;
import io.aisdistill.common.judge.Verdict;
import io.aisdistill.common.track.TrackWindow;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class GroundedTeacherTest {
  private final GroundedTeacher teacher = new GroundedTeacher();
  private final GroundedJudge judge = new GroundedJudge();

  private static Set<Category> categories(List<QaPair> ps) {
    return ps.stream().map(QaPair::category).collect(Collectors.toCollection(() -> EnumSet.noneOf(Category.class)));
  }

  @Test
  void allSixCategoriesWhereFactsAllow() {
    for (TrackWindow w : TestWindows.all()) {
      assertEquals(EnumSet.allOf(Category.class), categories(teacher.generate(w)), w.windowId());
    }
  }

  @Test
  void deterministic() {
    for (TrackWindow w : TestWindows.all()) {
      List<QaPair> a = teacher.generate(w);
      List<QaPair> b = new GroundedTeacher().generate(TestWindows.all().stream()
          .filter(x -> x.windowId().equals(w.windowId())).findFirst().orElseThrow());
      assertEquals(a, b);
      Set<String> ids = new HashSet<>();
      a.forEach(p -> assertTrue(ids.add(p.qaId()), "duplicate id " + p.qaId()));
    }
  }

  @Test
  void everyPairIsAcceptedByTheJudge() {
    int n = 0;
    for (TrackWindow w : TestWindows.all()) {
      for (QaPair p : teacher.generate(w)) {
        Verdict v = judge.judge(p, w);
        assertTrue(v.accepted(), p.templateId() + " " + p.answer() + " -> " + v);
        assertEquals(Boolean.TRUE, v.groundedOk(), p.templateId());
        n++;
      }
    }
    assertTrue(n > 60, "pairs " + n);
  }

  @Test
  void pairFieldsFilled() {
    TrackWindow w = TestWindows.cargoUnderway();
    for (QaPair p : teacher.generate(w)) {
      assertEquals("grounded", p.teacher());
      assertEquals(WindowPrompt.VERSION, p.promptVersion());
      assertEquals("window-v2", p.promptVersion());
      assertTrue(p.templateId().endsWith(".v2"), p.templateId());
      assertEquals(w.windowId(), p.windowId());
      assertEquals(w.mmsi(), p.mmsi());
      assertEquals(16, p.qaId().length());
      assertTrue(p.question().endsWith("?"), p.question());
      assertFalse(p.question().contains("{") || p.answer().contains("{"), p.question() + " " + p.answer());
      assertFalse(p.reasoning().isBlank());
      assertNotNull(p.factKey());
      assertTrue(p.facts().containsKey(p.factKey()), p.templateId());
      WindowFacts.Fact f = WindowFacts.get(p.factKey());
      assertEquals(f.kind().label(), p.claimKind());
      assertEquals(f.unit().label(), p.unit());
      assertEquals(f.claim(f.value(w)), p.claim());
      // the answer states the value as formatted; the trace derives it from the rows, never naming a fact key
      assertTrue(p.answer().toLowerCase().contains(f.format(f.value(w)).toLowerCase()), p.answer());
      assertEquals(Traces.of(p.factKey(), w), p.reasoning());
      for (String key : WindowFacts.all().keySet()) {
        assertFalse(p.reasoning().contains(key), key + " in " + p.reasoning());
      }
    }
    QaPair sog = byFact(teacher.generate(w), "sog_mean_kn");
    assertTrue(sog.answer().contains("14.6 knots"), sog.answer());
    assertEquals("14.6", sog.claim());
    QaPair dur = byFact(teacher.generate(w), "duration_min");
    assertTrue(dur.answer().contains("1 hour 35 minutes"), dur.answer());
    assertEquals("95.0", dur.claim());
    QaPair bearing = byFact(teacher.generate(w), "bearing_compass");
    assertTrue(bearing.answer().toLowerCase().contains("north-east"), bearing.answer());
    QaPair time = byFact(teacher.generate(w), "sog_max_time");
    assertTrue(time.answer().contains("08:35:00 UTC") && time.answer().contains("15.4 knots"), time.answer());
    assertEquals("08:35:00", time.claim());
    assertEquals("time", time.unit());
  }

  @Test
  void questionsCarryTheirOwnData() {
    TrackWindow w = TestWindows.cargoUnderway(); // 20 rows: partial-speed rows 4 and 15
    QaPair partial = byFact(teacher.generate(w), "partial_speed_kn");
    assertTrue(partial.question().contains("08:20:00 UTC") && partial.question().contains("09:15:00 UTC"),
        partial.question());
    assertEquals("08:20:00", partial.facts().get("t_a"));
    assertEquals("09:15:00", partial.facts().get("t_b"));
    QaPair reach = byFact(teacher.generate(w), "reach_by");
    double[] target = Observation.of(w).etaTarget();
    String point = "latitude " + WindowFacts.fmt(target[0], 5) + ", longitude " + WindowFacts.fmt(target[1], 5);
    assertTrue(reach.question().contains(point), reach.question());
    assertTrue(reach.question().contains("10:05:00 UTC"), reach.question()); // last row 09:35:00 + 30 min
    assertEquals("10:05:00", reach.facts().get("deadline"));
    assertEquals(target[0], reach.facts().get("target_lat"));
    assertEquals(WindowFacts.value("reach_by", w), reach.claim());
    QaPair eta = byFact(teacher.generate(w), "eta_min");
    assertTrue(eta.question().contains(point), eta.question());
    // the student sees the question's data: the judge checks the trace against it
    assertTrue(judge.judge(reach, w).accepted());
    assertTrue(WindowPrompt.studentPrompt(w, reach.question()).contains(point));
  }

  @Test
  void skipsTemplatesWithMissingFacts() {
    List<QaPair> ps = teacher.generate(TestWindows.classBNoSog());
    Set<String> keys = ps.stream().map(QaPair::factKey).collect(Collectors.toSet());
    for (String k : List.of("sog_mean_kn", "sog_max_kn", "sog_max_time", "speed_trend", "ship_type_group", "length_m",
        "heading_cog_disagreements", "stationary_pct", "eta_min", "reach_by", "status_consistent", "first_stop_start",
        "largest_turn_deg")) {
      assertFalse(keys.contains(k), k);
    }
    assertTrue(keys.contains("implied_speed_kn"));
    assertTrue(keys.contains("behaviour"));
    assertEquals("United States", byFact(ps, "flag_state").claim());
    Set<String> ferry = teacher.generate(TestWindows.mooredFerry()).stream().map(QaPair::factKey)
        .collect(Collectors.toSet());
    assertFalse(ferry.contains("bearing_compass")); // no bearing below 0.05 nm displacement
    assertFalse(ferry.contains("eta_min")); // the last row is not moving
    assertEquals("moored", byFact(teacher.generate(TestWindows.mooredFerry()), "behaviour").claim());
    assertEquals("yes", byFact(teacher.generate(TestWindows.teleportTug()), "teleport").claim());
    // templates whose answer cites a second fact need it too: no turn -> no turn-side answer
    assertFalse(teacher.generate(TestWindows.teleportTug()).stream()
        .anyMatch(p -> p.templateId().startsWith("behaviour.largest_turn")));
  }

  @Test
  void caps() {
    TrackWindow w = TestWindows.cargoUnderway();
    List<QaPair> one = new GroundedTeacher(100, 1).generate(w);
    assertEquals(6, one.size());
    assertEquals(EnumSet.allOf(Category.class), categories(one));
    List<QaPair> four = new GroundedTeacher(4, 3).generate(w);
    assertEquals(4, four.size());
    Map<Category, Long> perCat = new GroundedTeacher(100, 2).generate(w).stream()
        .collect(Collectors.groupingBy(QaPair::category, Collectors.counting()));
    perCat.values().forEach(c -> assertTrue(c <= 2));
    // capped output is a prefix-compatible subset of the full output (same ids)
    Set<String> all = teacher.generate(w).stream().map(QaPair::qaId).collect(Collectors.toSet());
    assertTrue(all.containsAll(four.stream().map(QaPair::qaId).toList()));
    assertThrows(IllegalArgumentException.class, () -> new GroundedTeacher(0, 1));
  }

  @Test
  void theTeacherPromptStatesTheAnswersTheStudentPromptDoesNot() {
    for (TrackWindow w : TestWindows.all()) {
      String prompt = WindowPrompt.build(w).user();
      for (QaPair p : teacher.generate(w)) {
        WindowFacts.Fact f = WindowFacts.get(p.factKey());
        assertTrue(prompt.contains(p.factKey() + " (") && prompt.contains(f.format(f.value(w))),
            p.templateId());
        String student = WindowPrompt.studentPrompt(w, p.question());
        assertFalse(WindowPrompt.studentContext(w).contains(p.factKey()), p.templateId());
        assertFalse(student.contains("Computed facts"), p.templateId());
      }
    }
  }

  @Test
  void acceptedForEveryShipTypeFlagAndNavStatus() {
    for (int code = 20; code <= 99; code++) {
      TestWindows.B b = new TestWindows.B();
      b.id = "type-" + code;
      b.vessel = new io.aisdistill.common.track.VesselInfo(b.mmsi, null, null, null, code, null, null, null, "A", null);
      b.nav = code % 16;
      allAccepted(b.build());
    }
    for (int mid : io.aisdistill.common.ais.FlagStates.table().keySet()) {
      TestWindows.B b = new TestWindows.B();
      b.id = "mid-" + mid;
      b.mmsi = mid * 1_000_000L + 4321;
      allAccepted(b.build());
    }
  }

  @Test
  void edgeWindowsAreAccepted() {
    // a U-turn (-180), SOG 102.2 and '-' rows, a stop that ends the window, a window across midnight
    long night = 1_717_286_100_000L - TestWindows.T0; // 23:55:00
    TestWindows.B b = new TestWindows.B();
    b.id = "edge-1";
    b.points = List.of(TestWindows.p(night / 1000, 55.0, 11.0, 9.0, 0.0, 2, 0),
        TestWindows.p(night / 1000 + 300, 55.0125, 11.0, 9.0, 180.0, 180, 0),
        TestWindows.p(night / 1000 + 600, 55.0, 11.0, 102.2, 180.0, 181, 0),
        TestWindows.p(night / 1000 + 660, 54.99, 11.0, null, 180.0, null, 0),
        TestWindows.p(night / 1000 + 900, 54.98, 11.0, 0.2, null, null, 1),
        TestWindows.p(night / 1000 + 1260, 54.98002, 11.00001, 0.1, null, null, 1));
    TrackWindow w = b.build();
    assertEquals("port", WindowFacts.value("largest_turn_side", w));
    assertEquals(1L, WindowFacts.value("stop_count", w));
    List<QaPair> ps = teacher.generate(w);
    assertTrue(ps.size() > 30, "pairs " + ps.size());
    allAccepted(w);
  }

  private void allAccepted(TrackWindow w) {
    for (QaPair p : teacher.generate(w)) {
      Verdict v = judge.judge(p, w);
      assertTrue(v.accepted(), w.windowId() + " " + p.templateId() + ": " + p.answer() + " -> " + v);
    }
  }

  private static QaPair byFact(List<QaPair> ps, String key) {
    return ps.stream().filter(p -> key.equals(p.factKey())).findFirst().orElseThrow(() -> new AssertionError(key));
  }
}
