package io.aisdistill.common.eval;

import java.util.Map;
import java.util.Objects;

/**
 * One example item of the report: a test item and every called model's answer to it. Serialized
 * to {@code examples.json} with snake_case names (qa_id, category, fact_key, question, reference,
 * answers: {model: {answer, correct, reason}}).
 *
 * @param qaId the test item
 * @param category category label
 * @param factKey the fact key scored; null for free text
 * @param question the question as asked; null when unknown
 * @param reference the reference answer text; may be null
 * @param answers per model name, its answer, in the order of the models asked (unmodifiable)
 */
public record EvalExample(String qaId, String category, String factKey, String question, String reference,
    Map<String, ModelAnswer> answers) {
  /**
   * One model's answer to the item.
   *
   * @param answer the answer text, full length; null when the call failed
   * @param correct true / false, or null when not scored
   * @param reason the score reason ({@code eval_results.score_reason})
   */
  public record ModelAnswer(String answer, Boolean correct, String reason) {}

  /**
   * Validates the fields and keeps {@code answers}' order in an unmodifiable copy.
   *
   * @throws NullPointerException when {@code qaId}, {@code category} or {@code answers} is null
   */
  public EvalExample {
    Objects.requireNonNull(qaId, "qaId");
    Objects.requireNonNull(category, "category");
    answers = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(answers));
  }
}
