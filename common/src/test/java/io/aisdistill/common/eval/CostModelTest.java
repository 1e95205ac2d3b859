package io.aisdistill.common.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class CostModelTest {

  @Test
  void apiPricePerThousandQueries() {
    Pricing.Api gpt4o = new Pricing.Api(2.50, 10.00);
    // 1000 x (800 x 2.50 + 120 x 10.00) / 1e6 = 3.2
    assertEquals(0.0032, gpt4o.usdPerQuery(800, 120), 1e-15);
    CostModel cm = new CostModel(List.of(new EvaluatedModel("gpt-4o", EvaluatedModel.Role.TEACHER, gpt4o)), List.of());
    assertEquals(3.2, cm.usdPer1k("gpt-4o", 800, 120), 1e-12);
    assertEquals("api", gpt4o.basis());
  }

  @Test
  void selfHostedFromGpuHourAndThroughput() {
    Pricing.SelfHosted l4 = new Pricing.SelfHosted("1x L4", 0.72, 4.0);
    // 1000 x 0.72 / (3600 x 4) = 0.05, independent of token counts
    assertEquals(0.05, 1000 * l4.usdPerQuery(800, 120), 1e-12);
    assertEquals(0.05, 1000 * l4.usdPerQuery(1, 1), 1e-12);
    Pricing.SelfHosted fromTokens = Pricing.SelfHosted.fromTokenThroughput("1x L4", 0.72, 480, 120);
    assertEquals(4.0, fromTokens.queriesPerSecond(), 1e-12);
    assertEquals("self-hosted", l4.basis());
    assertThrows(IllegalArgumentException.class, () -> new Pricing.SelfHosted("g", 1, 0));
    assertThrows(IllegalArgumentException.class, () -> new Pricing.SelfHosted("g", -1, 1));
    assertThrows(IllegalArgumentException.class, () -> new Pricing.Api(-1, 1));
    assertThrows(IllegalArgumentException.class, () -> new Pricing.Api(1, Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> Pricing.SelfHosted.fromTokenThroughput("g", 1, 1, 0));
  }

  @Test
  void paperComparisonCostRatio() {
    CostModel cm = EvalFixtures.costs();
    List<SummaryRow> rows = EvalSummary.summarize(EvalFixtures.items(), cm);
    List<CostModel.Comparison> comps = cm.compare(rows);
    assertEquals(1, comps.size()); // one teacher x one student; the base model is not a student
    CostModel.Comparison c = comps.get(0);
    assertEquals("gpt-4o", c.teacher());
    assertEquals("student", c.student());
    assertEquals(1.0, c.teacherAccuracy(), 1e-12);
    assertEquals(4.0 / 6, c.studentAccuracy(), 1e-12);
    double student = 1000 * 0.80 / (3600 * 2.0);
    assertEquals(3.0, c.teacherUsdPer1k(), 1e-12);
    assertEquals(student, c.studentUsdPer1k(), 1e-12);
    assertEquals(3.0 / student, c.costRatio(), 1e-9); // 27.0
    assertEquals(27.0, c.costRatio(), 1e-9);
    // the paper's headline: 1/261 of the teacher's cost
    assertEquals(261.0, CostModel.costRatio(2.61, 0.01), 1e-9);
    assertNull(CostModel.costRatio(1.0, 0.0));
    assertNull(CostModel.costRatio(null, 1.0));
  }

  @Test
  void unpricedAndInvalidModels() {
    CostModel cm = new CostModel(List.of(new EvaluatedModel("s", EvaluatedModel.Role.STUDENT, null),
        new EvaluatedModel("t", EvaluatedModel.Role.TEACHER, new Pricing.Api(1, 1))), List.of());
    assertNull(cm.usdPer1k("s", 10, 10));
    List<SummaryRow> rows = EvalSummary.summarize(List.of(new EvalItem("s", "route", true, 1, 1, 1),
        new EvalItem("t", "route", true, 1, 1, 1)), cm);
    assertNull(cm.compare(rows).get(0).costRatio());
    assertNull(rows.get(0).costBasis());
    assertThrows(IllegalArgumentException.class, () -> cm.model("x"));
    EvaluatedModel a = new EvaluatedModel("a", EvaluatedModel.Role.BASE, null);
    assertThrows(IllegalArgumentException.class, () -> new CostModel(List.of(a, a), List.of()));
    assertThrows(IllegalArgumentException.class, () -> new EvaluatedModel(" ", EvaluatedModel.Role.BASE, null));
  }
}
