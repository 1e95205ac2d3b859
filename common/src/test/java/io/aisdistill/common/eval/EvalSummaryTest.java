package io.aisdistill.common.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class EvalSummaryTest {

  @Test
  void wilsonMatchesPublishedValues() {
    // reference values: Wilson score interval, z = 1.96 (e.g. Brown, Cai & DasGupta 2001; R binom::binom.wilson)
    assertArrayEquals(new double[] {0.0, 0.2775}, EvalSummary.wilson(0, 10, EvalSummary.Z95), 5e-5);
    assertArrayEquals(new double[] {0.7225, 1.0}, EvalSummary.wilson(10, 10, EvalSummary.Z95), 5e-5);
    assertArrayEquals(new double[] {0.2366, 0.7634}, EvalSummary.wilson(5, 10, EvalSummary.Z95), 5e-5);
    assertArrayEquals(new double[] {0.3006, 0.9544}, EvalSummary.wilson(3, 4, EvalSummary.Z95), 5e-5);
    // large n approaches the Wald interval p +- z sqrt(p(1-p)/n)
    double[] big = EvalSummary.wilson(75_000, 100_000, EvalSummary.Z95);
    double half = EvalSummary.Z95 * Math.sqrt(0.75 * 0.25 / 100_000);
    assertEquals(0.75 - half, big[0], 1e-5);
    assertEquals(0.75 + half, big[1], 1e-5);
    assertThrows(IllegalArgumentException.class, () -> EvalSummary.wilson(1, 0, 1.96));
    assertThrows(IllegalArgumentException.class, () -> EvalSummary.wilson(5, 4, 1.96));
    assertThrows(IllegalArgumentException.class, () -> EvalSummary.wilson(-1, 4, 1.96));
    assertThrows(IllegalArgumentException.class, () -> EvalSummary.wilson(1, 4, 0));
  }

  @Test
  void percentilesInterpolateLinearly() {
    assertEquals(2.5, EvalSummary.percentile(new double[] {1, 2, 3, 4}, 0.5), 1e-12);
    double[] hundred = new double[100];
    for (int i = 0; i < 100; i++) {
      hundred[i] = i + 1;
    }
    assertEquals(95.05, EvalSummary.percentile(hundred, 0.95), 1e-9);
    assertEquals(50.5, EvalSummary.percentile(hundred, 0.5), 1e-9);
    assertEquals(100.0, EvalSummary.percentile(hundred, 1.0), 1e-12);
    assertEquals(1.0, EvalSummary.percentile(hundred, 0.0), 1e-12);
    assertEquals(7.0, EvalSummary.percentile(new double[] {7}, 0.95), 1e-12);
    assertEquals(0.0, EvalSummary.percentile(new double[0], 0.5), 1e-12);
    assertEquals(2.5, EvalSummary.percentileOf(new double[] {4, 1, 3, 2}, 0.5), 1e-12);
    assertThrows(IllegalArgumentException.class, () -> EvalSummary.percentile(hundred, 1.5));
  }

  @Test
  void summarizeCountsAndOrders() {
    List<SummaryRow> rows = EvalSummary.summarize(EvalFixtures.items(), EvalFixtures.costs());
    assertEquals(List.of("student/kinematics", "student/behaviour", "student/all", "base/kinematics", "base/all",
        "gpt-4o/kinematics", "gpt-4o/behaviour", "gpt-4o/all"),
        rows.stream().map(r -> r.model() + "/" + r.category()).toList());

    SummaryRow sk = rows.get(0);
    assertEquals(4, sk.n());
    assertEquals(4, sk.scored());
    assertEquals(3, sk.correct());
    assertEquals(0.75, sk.accuracy(), 1e-12);
    assertEquals(0.3006, sk.ciLow(), 5e-5);
    assertEquals(0.9544, sk.ciHigh(), 5e-5);
    assertEquals(250.0, sk.latencyP50Ms(), 1e-9); // 100..400
    assertEquals(385.0, sk.latencyP95Ms(), 1e-9); // 300 + 0.85 * 100
    assertEquals("student", sk.role());
    assertEquals("self-hosted", sk.costBasis());
    assertEquals(1000 * 0.80 / (3600 * 2.0), sk.usdPer1kQueries(), 1e-12);

    SummaryRow sb = rows.get(1); // 1 of 2 scored correct, 1 free-text item unscored
    assertEquals(3, sb.n());
    assertEquals(2, sb.scored());
    assertEquals(1, sb.correct());
    assertEquals(0.5, sb.accuracy(), 1e-12);

    SummaryRow sa = rows.get(2);
    assertEquals(7, sa.n());
    assertEquals(6, sa.scored());
    assertEquals(4, sa.correct());
    assertEquals(4.0 / 6, sa.accuracy(), 1e-12);
    assertEquals(1000.0, sa.meanTokensIn(), 1e-12);
    assertEquals(50.0, sa.meanTokensOut(), 1e-12);

    SummaryRow ta = rows.get(7);
    assertEquals("teacher", ta.role());
    assertEquals("api", ta.costBasis());
    assertEquals(1.0, ta.accuracy(), 1e-12);
    assertEquals(1000 * (1000 * 2.50 + 50 * 10.00) / 1e6, ta.usdPer1kQueries(), 1e-12); // = 3.0
  }

  @Test
  void unscoredOnlyAndUnknownModelAndOrderIndependence() {
    List<EvalItem> free = List.of(new EvalItem("student", "route", null, 10, 5, 5));
    SummaryRow r = EvalSummary.summarize(free, EvalFixtures.costs()).get(0);
    assertEquals(1, r.n());
    assertEquals(0, r.scored());
    assertNull(r.accuracy());
    assertNull(r.ciLow());
    assertNull(r.ciHigh());
    assertThrows(IllegalArgumentException.class,
        () -> EvalSummary.summarize(List.of(new EvalItem("nobody", "route", true, 1, 1, 1)), EvalFixtures.costs()));
    assertEquals(List.of(), EvalSummary.summarize(List.of(), EvalFixtures.costs()));
    List<EvalItem> shuffled = new ArrayList<>(EvalFixtures.items());
    Collections.reverse(shuffled);
    assertEquals(EvalSummary.summarize(EvalFixtures.items(), EvalFixtures.costs()),
        EvalSummary.summarize(shuffled, EvalFixtures.costs()));
    assertThrows(IllegalArgumentException.class, () -> new EvalItem("m", "c", true, -1, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new EvalItem("m", "c", true, Double.NaN, 0, 0));
  }
}
