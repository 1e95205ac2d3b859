package io.aisdistill.common.eval;

import java.util.Locale;
import java.util.Objects;

/**
 * One model under evaluation, as the cost model and the report see it: its name, its role in the
 * comparison and its pricing. (The models-file entry it is made from, with endpoint and limits,
 * is {@code io.aisdistill.common.llm.ModelSpec}.)
 *
 * @param name model name as used in {@code eval_results.model} (e.g. "student", "gpt-4o")
 * @param role its role in the comparison
 * @param pricing how its inference is paid for; null when unpriced (its cost columns stay empty)
 */
public record EvaluatedModel(String name, Role role, Pricing pricing) {
  /** Role of a model in the paper's comparison. */
  public enum Role {
    /** The fine-tuned small model (base + LoRA adapter). */
    STUDENT,
    /** The small model without the adapter. */
    BASE,
    /** A large model that generated (or could generate) the training data, e.g. GPT-4o. */
    TEACHER;

    /** Lower-case label ("student", "base", "teacher"). */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * Validates the fields.
   *
   * @throws NullPointerException when {@code name} or {@code role} is null
   * @throws IllegalArgumentException when {@code name} is blank
   */
  public EvaluatedModel {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(role, "role");
    if (name.isBlank()) {
      throw new IllegalArgumentException("blank model name");
    }
  }
}
