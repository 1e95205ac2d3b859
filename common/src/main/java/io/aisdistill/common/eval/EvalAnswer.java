package io.aisdistill.common.eval;

import java.util.Objects;

/**
 * One model's answer to one test item with its score: a row of {@code eval_results} reduced to
 * what {@link EvalExamples} needs.
 *
 * @param model model name as in the models file ({@code eval_results.model})
 * @param qaId the test item ({@code eval_results.qa_id})
 * @param category category label ("kinematics", ...)
 * @param factKey the fact key scored; null for free text
 * @param question the question as asked (without the window context, see
 *     {@link EvalExamples#question}); null when unknown
 * @param referenceAnswer the item's reference answer text; may be null
 * @param answer the model's answer text; null when its call failed
 * @param correct true / false, or null when not scored
 * @param reason {@code eval_results.score_reason} ({@link ScoreReason} name or "LLM_JUDGE"); may be null
 */
public record EvalAnswer(String model, String qaId, String category, String factKey, String question,
    String referenceAnswer, String answer, Boolean correct, String reason) {
  /**
   * Validates the fields.
   *
   * @throws NullPointerException when {@code model}, {@code qaId} or {@code category} is null
   */
  public EvalAnswer {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(qaId, "qaId");
    Objects.requireNonNull(category, "category");
  }
}
