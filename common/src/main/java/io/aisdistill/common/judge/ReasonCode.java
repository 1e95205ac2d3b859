package io.aisdistill.common.judge;

/**
 * Stable reason codes of a {@link Verdict}; {@link #name()} is the stored string and never changes.
 */
public enum ReasonCode {
  /** Question is blank, multi-line, shorter than {@link GroundedJudge#MIN_QUESTION_CHARS} or does not end with '?'. */
  QUESTION_FORMAT,
  /** Question longer than {@link GroundedJudge#MAX_QUESTION_CHARS} characters. */
  QUESTION_TOO_LONG,
  /** Answer null or blank. */
  ANSWER_EMPTY,
  /** Answer longer than {@link GroundedJudge#MAX_ANSWER_CHARS} characters. */
  ANSWER_TOO_LONG,
  /** Reasoning null or blank. */
  REASONING_MISSING,
  /** The pair's fact key is not in the {@link io.aisdistill.common.qa.WindowFacts} registry. */
  UNKNOWN_FACT,
  /** The fact is null for this window (e.g. a SOG question for a window without SOG). */
  FACT_MISSING,
  /** No value of the fact's kind/unit could be read from the answer text. */
  CLAIM_UNPARSEABLE,
  /** The value read from the answer text differs from the recomputed one beyond tolerance. */
  CLAIM_MISMATCH,
  /**
   * The reasoning trace cites a number that is neither in the student prompt nor derived from it
   * ({@link TraceChecker}).
   */
  TRACE_UNSUPPORTED,
  /**
   * Left out to balance answers: the pair's answer is its template's most frequent one beyond
   * the cap share (judge.max_answer_share); set by the judge stage, not by {@link GroundedJudge}.
   */
  ANSWER_BALANCE
}
