package io.aisdistill.common.eval;

import io.aisdistill.common.qa.WindowFacts.Tolerance;

/**
 * The score of one model answer against one reference QA item (a row of {@code eval_results}
 * without the call metadata).
 *
 * @param category the item's category label ("kinematics", ...; see
 *     {@link io.aisdistill.common.qa.Category#label})
 * @param factKey the {@link io.aisdistill.common.qa.WindowFacts} key scored; null for free text
 * @param unit the fact's unit label ("knots", "nm", "minutes", ...), null for labels / free text
 * @param reference the reference value: a {@code Double} in the fact's unit ({@code Long} for
 *     counts), a canonical label, or "yes"/"no"; null when there is none
 * @param extracted the value read from the model's answer, same shapes; null when none was read
 * @param correct true / false when scored; null when not scorable here ({@link
 *     ScoreReason#NEEDS_LLM_JUDGE}, {@link ScoreReason#UNKNOWN_FACT}, {@link ScoreReason#NO_REFERENCE})
 * @param reason why
 * @param tolerance the tolerance applied to a number fact (null for labels and free text)
 */
public record Score(
    String category,
    String factKey,
    String unit,
    Object reference,
    Object extracted,
    Boolean correct,
    ScoreReason reason,
    Tolerance tolerance) {

  /**
   * The largest accepted absolute deviation, in the fact's unit, for this reference
   * ({@link Tolerance#allowed}); null when no tolerance applies or the reference is not a number.
   */
  public Double allowedDeviation() {
    return tolerance == null || !(reference instanceof Number r) ? null : tolerance.allowed(r.doubleValue());
  }

  /**
   * |extracted - reference| in the fact's unit ({@link Tolerance#deviation}, the shorter arc for
   * angles); null when no tolerance applies or either value is not a number.
   */
  public Double absError() {
    if (tolerance == null || !(reference instanceof Number r) || !(extracted instanceof Number e)) {
      return null;
    }
    return tolerance.deviation(r.doubleValue(), e.doubleValue());
  }
}
