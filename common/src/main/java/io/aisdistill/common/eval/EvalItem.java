package io.aisdistill.common.eval;

import java.util.Objects;

/**
 * One scored call: a model's answer to one test item, with the call's metering (a row of
 * {@code eval_results} reduced to what {@link EvalSummary} needs).
 *
 * @param model model name as in the models file / {@link CostModel}
 * @param category category label ("kinematics", ...)
 * @param correct {@link Score#correct()}: true / false, or null when not scored (free text without a judge)
 * @param latencyMs wall time of the call in milliseconds (request sent to last byte), >= 0
 * @param tokensIn prompt tokens of the call as metered by the server, >= 0
 * @param tokensOut completion tokens of the call, >= 0
 */
public record EvalItem(String model, String category, Boolean correct, double latencyMs, long tokensIn,
    long tokensOut) {
  /**
   * Validates the fields.
   *
   * @throws NullPointerException when {@code model} or {@code category} is null
   * @throws IllegalArgumentException when a metering value is negative or not finite
   */
  public EvalItem {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(category, "category");
    if (!(latencyMs >= 0) || Double.isInfinite(latencyMs) || tokensIn < 0 || tokensOut < 0) {
      throw new IllegalArgumentException(
          "negative or non-finite metering: latencyMs=" + latencyMs + " tokensIn=" + tokensIn + " tokensOut=" + tokensOut);
    }
  }

  /** The item for {@code score}'s category and correctness. */
  public static EvalItem of(String model, Score score, double latencyMs, long tokensIn, long tokensOut) {
    return new EvalItem(model, score.category(), score.correct(), latencyMs, tokensIn, tokensOut);
  }
}
