package io.aisdistill.common.llm;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The share of one model's RPM/TPM limit that one JVM may use, as two Bucket4j token buckets
 * (requests, tokens) refilled greedily, each holding at most one second of its rate. Shared by all
 * the tasks of a JVM that call the model ({@link #shared}), so a task that finishes early leaves its
 * budget to the others. A provider's request to slow down ({@code Retry-After},
 * {@code x-ratelimit-remaining-*: 0}) pauses every caller of the budget until the given time.
 */
public final class RateBudget {
  private static final Map<String, RateBudget> SHARED = new ConcurrentHashMap<>();

  private final Bucket requests;
  private final Bucket tokens;
  private final long tokenCapacity;
  private volatile long pausedUntilMs;

  /**
   * @param rpm requests per minute of this budget (0 = unlimited)
   * @param tpm tokens per minute of this budget (0 = unlimited)
   */
  public RateBudget(double rpm, double tpm) {
    this.requests = rpm > 0 ? bucket(rpm) : null;
    this.tokenCapacity = tpm > 0 ? Math.max(1, (long) Math.floor(tpm / 60.0)) : 0;
    this.tokens = tpm > 0 ? bucket(tpm) : null;
  }

  private static Bucket bucket(double perMinute) {
    long capacity = Math.max(1, (long) Math.floor(perMinute / 60.0));
    Duration perToken = Duration.ofNanos(Math.max(1, (long) (60e9 / perMinute)));
    return Bucket.builder()
        .addLimit(Bandwidth.builder().capacity(capacity).refillGreedy(1, perToken).build())
        .build();
  }

  /**
   * The JVM-wide budget for {@code spec} under {@code scope} (one per stage run): its rpm and tpm
   * times {@link ModelSpec#limitHeadroom} times {@code jvmShare}.
   *
   * @param jvmShare this JVM's share (0-1] of the global limit: its concurrent task slots over
   *     all concurrent task slots of the job
   */
  public static RateBudget shared(String scope, ModelSpec spec, double jvmShare) {
    double f = spec.limitHeadroom * jvmShare;
    return SHARED.computeIfAbsent(scope + "|" + spec.name, k -> new RateBudget(spec.rpm * f, spec.tpm * f));
  }

  /** Forgets the budgets of {@code scope} (a stage's end). */
  public static void release(String scope) {
    SHARED.keySet().removeIf(k -> k.startsWith(scope + "|"));
  }

  /**
   * Blocks until one request costing {@code tokenCost} tokens may be sent (a cost above one
   * second of the TPM rate is charged as one full second).
   *
   * @throws InterruptedException when interrupted while waiting
   */
  public void acquire(long tokenCost) throws InterruptedException {
    waitPause();
    if (requests != null) {
      requests.asBlocking().consume(1);
    }
    if (tokens != null) {
      tokens.asBlocking().consume(Math.max(1, Math.min(tokenCost, tokenCapacity)));
    }
    waitPause();
  }

  /** Pauses every caller until {@code epochMs} (never shortens a pause). */
  public void pauseUntil(long epochMs) {
    synchronized (this) {
      if (epochMs > pausedUntilMs) {
        pausedUntilMs = epochMs;
      }
    }
  }

  private void waitPause() throws InterruptedException {
    long w;
    while ((w = pausedUntilMs - System.currentTimeMillis()) > 0) {
      Thread.sleep(Math.min(w, 1000));
    }
  }
}
