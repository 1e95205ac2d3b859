package io.aisdistill.common.eval;

import java.util.ArrayList;
import java.util.List;

/** Hand-made evaluation inputs with hand-computed expectations. */
final class EvalFixtures {
  private EvalFixtures() {}

  /** student/base self-hosted on a $0.80/h GPU at 2 queries/s; gpt-4o at $2.50 / $10.00 per 1M tokens. */
  static CostModel costs() {
    return new CostModel(List.of(
        new EvaluatedModel("student", EvaluatedModel.Role.STUDENT, new Pricing.SelfHosted("1x NVIDIA L4", 0.80, 2.0)),
        new EvaluatedModel("base", EvaluatedModel.Role.BASE, new Pricing.SelfHosted("1x NVIDIA L4", 0.80, 2.0)),
        new EvaluatedModel("gpt-4o", EvaluatedModel.Role.TEACHER, new Pricing.Api(2.50, 10.00))),
        List.of("API list prices as of the test", "vLLM, batch concurrency 32"));
  }

  /**
   * student: kinematics 3/4, behaviour 1/2 (+1 free text unscored); base: kinematics 1/4;
   * gpt-4o: kinematics 4/4, behaviour 2/2. Every call 1000 tokens in, 50 out; latencies 100..n*100 ms.
   */
  static List<EvalItem> items() {
    List<EvalItem> out = new ArrayList<>();
    add(out, "student", "kinematics", true, true, true, false);
    add(out, "student", "behaviour", true, false, null);
    add(out, "base", "kinematics", true, false, false, false);
    add(out, "gpt-4o", "kinematics", true, true, true, true);
    add(out, "gpt-4o", "behaviour", true, true);
    return out;
  }

  private static void add(List<EvalItem> out, String model, String cat, Boolean... correct) {
    for (int i = 0; i < correct.length; i++) {
      out.add(new EvalItem(model, cat, correct[i], 100.0 * (i + 1), 1000, 50));
    }
  }
}
