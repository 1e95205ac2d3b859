package io.aisdistill.jobs.llm;

/**
 * An LLM stage failed because more than {@code llm.max_failed_share} of its calls failed (see
 * {@link LlmFanout.Result#requireFailedShareAtMost}). Thrown after the calls that succeeded were
 * committed to llm_calls; the message is one line with the counts and the first error, which the
 * command line prints as its one-line reason (exit status 1).
 */
public final class LlmCallsFailedException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  /** @param message one line: counts, share, threshold, first error */
  public LlmCallsFailedException(String message) {
    super(message);
  }
}
