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
      assertEquals(w.windowId(), p.windowId());
      assertEquals(w.mmsi(), p.mmsi());
      assertEquals(16, p.qaId().length());
      assertTrue(p.question().endsWith("?"), p.question());
      assertFalse(p.reasoning().isBlank());
      assertNotNull(p.factKey());
      assertTrue(p.facts().containsKey(p.factKey()), p.templateId());
      WindowFacts.Fact f = WindowFacts.get(p.factKey());
      assertEquals(f.kind().label(), p.claimKind());
      assertEquals(f.unit().label(), p.unit());
      assertEquals(f.claim(f.value(w)), p.claim());
      assertTrue(p.reasoning().contains(p.factKey()), p.reasoning());
    }
    QaPair sog = byFact(teacher.generate(w), "sog_mean_kn");
    assertTrue(sog.answer().contains("14.6 knots"), sog.answer());
    assertEquals("14.6", sog.claim());
    QaPair dur = byFact(teacher.generate(w), "duration_min");
    assertTrue(dur.answer().contains("1 hour 35 minutes"), dur.answer());
    QaPair bearing = byFact(teacher.generate(w), "bearing_compass");
    assertTrue(bearing.answer().toLowerCase().contains("north-east") && bearing.answer().contains("47 degrees"),
        bearing.answer());
  }

  @Test
  void skipsTemplatesWithMissingFacts() {
    List<QaPair> ps = teacher.generate(TestWindows.classBNoSog());
    Set<String> keys = ps.stream().map(QaPair::factKey).collect(Collectors.toSet());
    assertFalse(keys.contains("sog_mean_kn"));
    assertFalse(keys.contains("sog_max_kn"));
    assertFalse(keys.contains("ship_type_group"));
    assertFalse(keys.contains("length_m"));
    assertFalse(keys.contains("heading_cog_disagreements"));
    assertTrue(keys.contains("implied_speed_kn"));
    assertTrue(keys.contains("ais_class"));
    assertEquals("United States", byFact(ps, "flag_state").claim());
    Set<String> ferry = teacher.generate(TestWindows.mooredFerry()).stream().map(QaPair::factKey)
        .collect(Collectors.toSet());
    assertFalse(ferry.contains("bearing_compass")); // no bearing below 0.05 nm displacement
    assertEquals("moored", byFact(teacher.generate(TestWindows.mooredFerry()), "behaviour").claim());
    assertEquals("yes", byFact(teacher.generate(TestWindows.teleportTug()), "teleport").claim());
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
  void answersAreStatedInThePrompt() {
    for (TrackWindow w : TestWindows.all()) {
      String prompt = WindowPrompt.build(w).user();
      for (QaPair p : teacher.generate(w)) {
        WindowFacts.Fact f = WindowFacts.get(p.factKey());
        assertTrue(prompt.contains(p.factKey() + " (") && prompt.contains(f.format(f.value(w))),
            p.templateId());
      }
    }
  }

  @Test
  void acceptedForEveryShipTypeFlagAndNavStatus() {
    for (int code = 20; code <= 99; code++) {
      TestWindows.B b = new TestWindows.B();
      b.id = "type-" + code;
      b.vessel = new io.aisdistill.common.track.VesselInfo(b.mmsi, null, null, null, code, null, null, null, "A", null);
      b.dom = code % 16;
      allAccepted(b.build());
    }
    for (int mid : io.aisdistill.common.ais.FlagStates.table().keySet()) {
      TestWindows.B b = new TestWindows.B();
      b.id = "mid-" + mid;
      b.mmsi = mid * 1_000_000L + 4321;
      allAccepted(b.build());
    }
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
