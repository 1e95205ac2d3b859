package io.aisdistill.common.select;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aisdistill.common.select.WindowSelector.Candidate;
import io.aisdistill.common.select.WindowSelector.Decision;
import io.aisdistill.common.select.WindowSelector.Reason;
import io.aisdistill.common.select.WindowSelector.Scope;
import io.aisdistill.common.select.WindowSelector.Settings;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class WindowSelectorTest {
  static final long H = 3_600_000L;

  static Candidate c(String id, long mmsi, long hour, String stratum, boolean stopped, String cell, int calls,
      double usd) {
    return new Candidate(id, mmsi, hour * H, stratum, stopped, cell, calls, usd);
  }

  static Settings unlimited() {
    return new Settings(7, 1.0, 0, 0, 0);
  }

  static Map<String, Decision> byId(List<Decision> d) {
    return d.stream().collect(Collectors.toMap(Decision::windowId, Function.identity()));
  }

  /** A mix: 200 moving windows in 5 strata of unequal size, 120 stopped windows in 2 strata, random costs. */
  static List<Candidate> mix(long seed) {
    Random r = new Random(seed);
    List<Candidate> l = new ArrayList<>();
    for (int i = 0; i < 320; i++) {
      boolean stopped = i >= 200;
      String stratum = stopped ? "stopped|cargo|dr5|h" + (i % 2) : "underway|g" + (i % 5 == 0 ? 0 : i % 3 + 1);
      // every window its own vessel: no near duplicates here
      l.add(c(String.format("w%03d", i), 1000 + i, i, stratum, stopped, "c" + i, 1 + r.nextInt(3),
          0.001 + r.nextDouble() * 0.01));
    }
    return l;
  }

  @Test
  void sameDecisionsForAnyInputOrderAndSeedChangesTheOrder() {
    List<Candidate> l = mix(1);
    Settings s = new Settings(42, 0.15, 0, 0, 0.5);
    List<Decision> a = WindowSelector.select(l, s);
    List<Candidate> shuffled = new ArrayList<>(l);
    Collections.shuffle(shuffled, new Random(3));
    assertEquals(a, WindowSelector.select(shuffled, s));
    List<Decision> other = WindowSelector.select(l, new Settings(43, 0.15, 0, 0, 0.5));
    assertTrue(!a.equals(other), "another seed orders the windows differently");
    assertEquals(l.size(), a.size());
  }

  @Test
  void consecutiveStoppedWindowsInOneCellKeepTheFirst() {
    List<Candidate> l = List.of(
        c("a1", 1, 0, "stopped|x", true, "u4pruy", 0, 0),
        c("a2", 1, 1, "stopped|x", true, "u4pruy", 0, 0),
        c("a3", 1, 2, "stopped|x", true, "u4pruy", 0, 0),
        c("a4", 1, 3, "stopped|x", true, "u4pruz", 0, 0),    // moved to the next cell: kept
        c("a5", 1, 4, "underway|x", false, "u4pruz", 0, 0),
        c("a6", 1, 5, "stopped|x", true, "u4pruz", 0, 0),    // after a moving window: kept
        c("a7", 1, 6, "stopped|x", true, "u4pruz", 0, 0),
        c("b1", 2, 1, "stopped|x", true, "u4pruy", 0, 0));   // another vessel in the same cell: kept
    Map<String, Decision> d = byId(WindowSelector.select(l, unlimited()));
    assertEquals(Reason.NEAR_DUPLICATE, d.get("a2").reason());
    assertEquals("a1", d.get("a2").duplicateOf());
    assertEquals("a1", d.get("a3").duplicateOf());
    assertEquals("a6", d.get("a7").duplicateOf());
    assertNull(d.get("a2").rank());
    for (String k : List.of("a1", "a4", "a5", "a6", "b1")) {
      assertEquals(Reason.SELECTED, d.get(k).reason(), k);
    }
  }

  @Test
  void stoppedWindowsNeverExceedTheirShareAtAnyPrefix() {
    List<Candidate> l = mix(2);
    List<Decision> d = WindowSelector.select(l, new Settings(5, 0.15, 0, 0, 0));
    Set<String> stopped = l.stream().filter(Candidate::stopped).map(Candidate::windowId).collect(Collectors.toSet());
    List<Decision> sel = d.stream().filter(Decision::selected).sorted(Comparator.comparing(Decision::selectedOrder))
        .toList();
    int n = 0;
    int t = 0;
    for (Decision x : sel) {
      n++;
      t += stopped.contains(x.windowId()) ? 1 : 0;
      assertTrue(t <= 0.15 * n + 1e-9, "stopped " + t + " of " + n);
    }
    // 200 moving windows admit floor(0.15 / 0.85 * 200) = 35 stopped ones; the other 85 are capped
    assertEquals(235, sel.size());
    assertEquals(35, t);
    assertEquals(85, d.stream().filter(x -> x.reason() == Reason.STOPPED_CAP).count());
    assertEquals(0, WindowSelector.select(l, new Settings(5, 0, 0, 0, 0)).stream()
        .filter(x -> x.selected() && stopped.contains(x.windowId())).count());
  }

  @Test
  void budgetsAreNeverExceededAndCutAPrefix() {
    List<Candidate> l = mix(3);
    Map<String, Candidate> cand = l.stream().collect(Collectors.toMap(Candidate::windowId, Function.identity()));
    for (Settings s : List.of(new Settings(9, 0.15, 0, 0, 0.37), new Settings(9, 0.15, 0, 101, 0),
        new Settings(9, 0.15, 40, 0, 0), new Settings(9, 0.3, 50, 90, 0.3))) {
      List<Decision> d = WindowSelector.select(l, s);
      List<Decision> sel = d.stream().filter(Decision::selected).toList();
      double usd = sel.stream().mapToDouble(x -> cand.get(x.windowId()).usd()).sum();
      long calls = sel.stream().mapToLong(x -> cand.get(x.windowId()).calls()).sum();
      assertTrue(s.maxUsd() == 0 || usd <= s.maxUsd() + 1e-12, s + ": usd " + usd);
      assertTrue(s.maxCalls() == 0 || calls <= s.maxCalls(), s + ": calls " + calls);
      assertTrue(s.maxWindows() == 0 || sel.size() <= s.maxWindows(), s + ": windows " + sel.size());
      Decision last = sel.stream().max(Comparator.comparing(Decision::selectedOrder)).orElseThrow();
      assertEquals(calls, last.cumCalls());
      assertEquals(usd, last.cumUsd(), 1e-12);
      List<Decision> over = d.stream().filter(x -> x.reason() == Reason.OVER_BUDGET).toList();
      assertTrue(!over.isEmpty(), s + " binds");
      // the first window refused would have broken a budget
      Decision first = over.stream().min(Comparator.comparing(Decision::rank)).orElseThrow();
      Candidate f = cand.get(first.windowId());
      assertTrue(s.maxUsd() > 0 && usd + f.usd() > s.maxUsd() || s.maxCalls() > 0 && calls + f.calls() > s.maxCalls()
          || s.maxWindows() > 0 && sel.size() + 1 > s.maxWindows(), s + ": " + first + " would fit");
    }
  }

  @Test
  void aLargerBudgetSelectsASupersetAndKeepsTheMix() {
    List<Candidate> l = mix(4);
    Set<String> small = selected(WindowSelector.select(l, new Settings(1, 0.15, 0, 0, 0.2)));
    Set<String> large = selected(WindowSelector.select(l, new Settings(1, 0.15, 0, 0, 0.6)));
    assertTrue(large.containsAll(small) && large.size() > small.size());
    // 20 windows out of strata of 40, 53, 53, 54 moving windows (+ stopped): round-robin = 5 per moving stratum
    List<Decision> d = WindowSelector.select(l, new Settings(1, 0, 20, 0, 0));
    Map<String, String> stratum = l.stream().collect(Collectors.toMap(Candidate::windowId, Candidate::stratum));
    Map<String, Long> per = d.stream().filter(Decision::selected)
        .collect(Collectors.groupingBy(x -> stratum.get(x.windowId()), Collectors.counting()));
    assertEquals(Map.of("underway|g0", 5L, "underway|g1", 5L, "underway|g2", 5L, "underway|g3", 5L), per);
  }

  @Test
  void dayScopeHoldsTheCapAndBudgetsPerUtcDayAndADayDependsOnItsOwnWindowsOnly() {
    List<Candidate> l = mix(5); // window i starts at hour i: 14 UTC days
    Map<String, Candidate> cand = l.stream().collect(Collectors.toMap(Candidate::windowId, Function.identity()));
    Settings s = new Settings(9, 0.15, 10, 0, 0.05, Scope.DAY);
    List<Decision> d = WindowSelector.select(l, s);
    assertEquals(l.size(), d.size());
    Map<Long, List<Decision>> byDay = d.stream().collect(Collectors.groupingBy(
        x -> Math.floorDiv(cand.get(x.windowId()).startMillis(), 24 * H)));
    assertEquals(14, byDay.size());
    long selectedAll = 0;
    for (var e : byDay.entrySet()) {
      List<Decision> sel = e.getValue().stream().filter(Decision::selected)
          .sorted(Comparator.comparing(Decision::selectedOrder)).toList();
      selectedAll += sel.size();
      assertTrue(sel.size() <= 10, "day " + e.getKey() + ": " + sel.size() + " windows");
      double usd = 0;
      int stopped = 0;
      for (int i = 0; i < sel.size(); i++) {
        Candidate c = cand.get(sel.get(i).windowId());
        assertEquals(i + 1L, sel.get(i).selectedOrder(), "the admission order restarts each day");
        usd += c.usd();
        stopped += c.stopped() ? 1 : 0;
        assertTrue(stopped <= 0.15 * (i + 1) + 1e-9, "day " + e.getKey() + ": stopped " + stopped + " of " + (i + 1));
        assertEquals(usd, sel.get(i).cumUsd(), 1e-12);
      }
      assertTrue(usd <= 0.05 + 1e-12, "day " + e.getKey() + ": usd " + usd);
      assertEquals(1L, e.getValue().stream().filter(x -> x.rank() != null).mapToLong(Decision::rank).min().orElse(1L));
      // the day's decisions, with the other days' windows left out, are the same
      List<Candidate> day = l.stream().filter(c -> Math.floorDiv(c.startMillis(), 24 * H) == e.getKey()).toList();
      assertEquals(byId(e.getValue()), byId(WindowSelector.select(day, s)), "day " + e.getKey());
    }
    // over all windows at once the same budget holds in total
    long selectedTotal = selected(WindowSelector.select(l, new Settings(9, 0.15, 10, 0, 0.05))).size();
    assertTrue(selectedTotal <= 10 && selectedAll > 10, selectedTotal + " vs " + selectedAll);
  }

  @Test
  void dayScopeLooksForNearDuplicatesWithinTheDay() {
    List<Candidate> l = List.of(
        c("a1", 1, 22, "stopped|x", true, "u4pruy", 0, 0),
        c("a2", 1, 23, "stopped|x", true, "u4pruy", 0, 0),
        c("a3", 1, 24, "stopped|x", true, "u4pruy", 0, 0),   // next UTC day: the first of its day
        c("a4", 1, 25, "stopped|x", true, "u4pruy", 0, 0));
    Map<String, Decision> all = byId(WindowSelector.select(l, unlimited()));
    assertEquals("a1", all.get("a3").duplicateOf());
    Map<String, Decision> day = byId(WindowSelector.select(l, new Settings(7, 1.0, 0, 0, 0, Scope.DAY)));
    assertEquals(Reason.SELECTED, day.get("a3").reason());
    assertEquals("a1", day.get("a2").duplicateOf());
    assertEquals("a3", day.get("a4").duplicateOf());
    assertEquals(Scope.DAY, Scope.of(" Day"));
    assertEquals(0L, Scope.ALL.key(5 * 24 * H));
    assertEquals(-1L, Scope.DAY.key(-1));
    assertThrows(IllegalArgumentException.class, () -> Scope.of("week"));
    assertThrows(IllegalArgumentException.class, () -> new Settings(1, 0.1, 0, 0, 0, null));
  }

  @Test
  void rejectsBadSettingsAndDuplicateIds() {
    assertThrows(IllegalArgumentException.class, () -> new Settings(1, 1.5, 0, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new Settings(1, 0.1, -1, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new Settings(1, 0.1, 0, 0, Double.NaN));
    Candidate x = c("x", 1, 0, "s", false, "c", 0, 0);
    assertThrows(IllegalArgumentException.class, () -> WindowSelector.select(List.of(x, x), unlimited()));
  }

  static Set<String> selected(List<Decision> d) {
    return d.stream().filter(Decision::selected).map(Decision::windowId).collect(Collectors.toSet());
  }
}
