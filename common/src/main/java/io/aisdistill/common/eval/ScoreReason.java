package io.aisdistill.common.eval;

/**
 * Why a model answer was scored as it was; {@link #name()} is the stored string (column
 * {@code eval_results.reason}) and never changes.
 */
public enum ScoreReason {
  /** The answer states the reference value (number within tolerance, or the same label). */
  CORRECT,
  /** A number was read from the answer but it lies outside the fact's tolerance. */
  OUT_OF_TOLERANCE,
  /** A category / yes-no label was read from the answer but it differs from the reference label. */
  WRONG_LABEL,
  /** The answer is non-empty but states no value of the fact's kind and unit. */
  UNPARSEABLE,
  /** The answer's first sentence declines to answer ("I cannot determine...", "N/A"). */
  REFUSED,
  /** The answer is null, blank, or only a reasoning block. */
  EMPTY_ANSWER,
  /** Free-text item (no fact key): correctness is left to an LLM judge; {@code correct} is null. */
  NEEDS_LLM_JUDGE,
  /** The item's fact key is not in the {@link io.aisdistill.common.qa.WindowFacts} registry; not scored. */
  UNKNOWN_FACT,
  /** The item carries no usable reference value (claim, fact value and reference answer all unreadable); not scored. */
  NO_REFERENCE,
  /** The model's call failed after its retries (no answer to score); not scored, re-sent by a rerun. */
  CALL_FAILED
}
