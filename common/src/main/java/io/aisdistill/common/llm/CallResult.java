package io.aisdistill.common.llm;

/**
 * The outcome of one call (all attempts): a row of {@code llm_calls} minus the job's context.
 *
 * @param callId the request's id ({@link ChatCall#callId()})
 * @param status {@link #OK} (HTTP 200 with a completion; the call was paid) or {@link #FAILED}
 *     (a 4xx other than 429, retries exhausted, or an unreadable 200 body)
 * @param httpStatus status of the last attempt; 0 when no response came (timeout, reset)
 * @param attempts attempts made, the first included
 * @param rateLimited attempts answered 429
 * @param responseBody the last response body as received (raw text, may be invalid JSON); null when none
 * @param content the assistant message text of an OK call, else null
 * @param tokensIn prompt tokens: the server's usage when returned, else the tokenizer's count
 * @param tokensOut completion tokens: the server's usage when returned, else counted from content
 * @param usageFromServer true when the token counts are the server's
 * @param costUsd USD for tokensIn/out at the model's prices (0 for FAILED)
 * @param latencyMs milliseconds of the last attempt
 * @param startedAtMs epoch milliseconds of the first attempt
 * @param finishedAtMs epoch milliseconds when the call finished
 * @param error short reason of a FAILED call (never holds the key), else null
 */
public record CallResult(String callId, String status, int httpStatus, int attempts, int rateLimited,
    String responseBody, String content, long tokensIn, long tokensOut, boolean usageFromServer, double costUsd,
    long latencyMs, long startedAtMs, long finishedAtMs, String error) {
  /** Status of an answered call. */
  public static final String OK = "ok";
  /** Status of a call that got no usable answer. */
  public static final String FAILED = "failed";
}
