package io.aisdistill.common.llm;

/**
 * Concurrency limit with additive increase, multiplicative decrease: starts at {@code max}
 * requests in flight, halves on a 429 (at most once per {@code cooldownMs}, never below 1) and grows
 * by one per limit's worth of successes back up to {@code max}. Thread-safe.
 */
public final class AimdLimiter {
  private final int max;
  private final long cooldownMs;
  private double limit;
  private int inFlight;
  private long lastDecreaseMs;

  /**
   * @param max the most requests in flight (>= 1)
   * @param cooldownMs milliseconds after a decrease during which further 429s do not decrease again
   */
  public AimdLimiter(int max, long cooldownMs) {
    this.max = Math.max(1, max);
    this.limit = this.max;
    this.cooldownMs = cooldownMs;
  }

  /** Blocks until a request may start. @throws InterruptedException when interrupted */
  public synchronized void acquire() throws InterruptedException {
    while (inFlight >= (int) Math.floor(limit)) {
      wait();
    }
    inFlight++;
  }

  /** Ends a request started by {@link #acquire()}; {@code rateLimited} when it got a 429. */
  public synchronized void release(boolean rateLimited) {
    inFlight--;
    long now = System.currentTimeMillis();
    if (rateLimited) {
      if (now - lastDecreaseMs >= cooldownMs) {
        limit = Math.max(1.0, Math.floor(limit / 2));
        lastDecreaseMs = now;
      }
    } else {
      limit = Math.min(max, limit + 1.0 / limit);
    }
    notifyAll();
  }

  /** The current limit (whole requests). */
  public synchronized int limit() {
    return (int) Math.floor(limit);
  }
}
