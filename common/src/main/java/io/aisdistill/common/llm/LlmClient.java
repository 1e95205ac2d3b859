package io.aisdistill.common.llm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Client of one model's OpenAI-compatible {@code POST /v1/chat/completions} (OpenAI, Azure
 * OpenAI v1, vLLM, llama.cpp, Ollama, LiteLLM).
 *
 * <p>Per attempt: wait for a concurrency slot ({@link AimdLimiter}) and for the rate budget
 * ({@link RateBudget}: one request, prompt tokens + max output tokens), send with the model's
 * per-request timeout. Retried by a Failsafe {@link RetryPolicy} with exponential backoff and
 * jitter: 429, 5xx, timeouts and connection resets; the delay after a 429/503 is the server's
 * {@code Retry-After} / {@code retry-after-ms} when given. A 429 also halves the concurrency
 * (AIMD) and pauses the shared budget until Retry-After; {@code x-ratelimit-remaining-requests}
 * or {@code -tokens} of 0 pause it until the matching {@code x-ratelimit-reset-*}. Other 4xx are
 * FAILED at once. A 200 whose body is not a chat completion is FAILED and not retried (it may have
 * been billed; a rerun decides).
 *
 * <p>The API key is read from the environment variable {@link ModelSpec#apiKeyEnv} at each
 * request and only put in the request header: it is never part of a body, a result or a message.
 * Thread-safe.
 */
public final class LlmClient {
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(20)).build();

  private final ModelSpec spec;
  private final RateBudget budget;
  private final AimdLimiter concurrency;
  private final Tokens tokens;

  /**
   * @param spec the model
   * @param budget its rate budget in this JVM
   * @param concurrency the caller's concurrency limiter (one per Spark task)
   * @param tokens token counter for rate reservations and missing server usage
   */
  public LlmClient(ModelSpec spec, RateBudget budget, AimdLimiter concurrency, Tokens tokens) {
    this.spec = spec;
    this.budget = budget;
    this.concurrency = concurrency;
    this.tokens = tokens;
  }

  /** One attempt's response. */
  private record Attempt(int status, String body, HttpResponse<String> response, long latencyMs) {
    boolean retryable() {
      return status == 429 || status >= 500;
    }
  }

  /**
   * Sends {@code call} until it is answered, fails for good, or attempts run out. Never throws
   * for HTTP or network problems (they become a FAILED result); the result's tokens and cost are
   * the server's usage when returned, else the tokenizer's counts.
   *
   * @throws IllegalStateException when the key's environment variable is named but unset
   */
  public CallResult call(ChatCall call) {
    String key = apiKey();
    long started = System.currentTimeMillis();
    long promptTokens = tokens.prompt(call.messages());
    AtomicInteger attempts = new AtomicInteger();
    AtomicInteger limited = new AtomicInteger();
    RetryPolicy<Attempt> retry = RetryPolicy.<Attempt>builder()
        .handleResultIf(Attempt::retryable)
        .handle(IOException.class)
        .withBackoff(Duration.ofMillis(spec.backoffInitialMs), Duration.ofMillis(spec.backoffMaxMs))
        .withJitter(0.3)
        .withDelayFn(ctx -> {
          Attempt a = ctx.getLastResult();
          // a negative delay makes Failsafe use its backoff with jitter
          return a == null ? Duration.ofMillis(-1) : retryAfter(a.response()).orElse(Duration.ofMillis(-1));
        })
        .withMaxAttempts(spec.maxAttempts)
        .build();
    Attempt last;
    String error = null;
    try {
      last = Failsafe.with(retry).get(() -> attempt(call, key, promptTokens, attempts, limited));
    } catch (FailsafeException e) {
      Throwable c = e.getCause() == null ? e : e.getCause();
      last = null;
      error = (c instanceof HttpTimeoutException ? "TIMEOUT: " : "NETWORK: ") + c.getClass().getSimpleName()
          + (c.getMessage() == null ? "" : " " + c.getMessage());
    }
    long now = System.currentTimeMillis();
    if (last == null) {
      return new CallResult(call.callId(), CallResult.FAILED, 0, attempts.get(), limited.get(), null, null,
          promptTokens, 0, false, 0, 0, started, now, error);
    }
    if (last.status() != 200) {
      return new CallResult(call.callId(), CallResult.FAILED, last.status(), attempts.get(), limited.get(), last.body(),
          null, promptTokens, 0, false, 0, last.latencyMs(), started, now,
          (last.retryable() ? "RETRIES_EXHAUSTED: HTTP " : "HTTP ") + last.status());
    }
    JsonNode root;
    try {
      root = ChatCall.JSON.readTree(last.body());
    } catch (IOException e) {
      root = null;
    }
    JsonNode msg = root == null ? null : root.path("choices").path(0).path("message");
    if (root == null || !root.isObject() || msg.isMissingNode()) {
      return new CallResult(call.callId(), CallResult.FAILED, 200, attempts.get(), limited.get(), last.body(), null,
          promptTokens, 0, false, 0, last.latencyMs(), started, now, "INVALID_RESPONSE_BODY");
    }
    String content = msg.path("content").isTextual() ? msg.path("content").asText() : null;
    JsonNode usage = root.path("usage");
    boolean server = usage.path("prompt_tokens").isNumber() && usage.path("completion_tokens").isNumber();
    long in = server ? usage.path("prompt_tokens").asLong() : promptTokens;
    long out = server ? usage.path("completion_tokens").asLong() : tokens.text(content);
    return new CallResult(call.callId(), CallResult.OK, 200, attempts.get(), limited.get(), last.body(), content,
        in, out, server, spec.cost(in, out), last.latencyMs(), started, now, null);
  }

  private Attempt attempt(ChatCall call, String key, long promptTokens, AtomicInteger attempts, AtomicInteger limited)
      throws IOException, InterruptedException {
    concurrency.acquire();
    boolean rateLimited = false;
    try {
      budget.acquire(promptTokens + call.maxTokens());
      attempts.incrementAndGet();
      HttpRequest.Builder r = HttpRequest.newBuilder(spec.chatUrl())
          .timeout(Duration.ofMillis((long) (spec.timeoutS * 1000)))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(call.body()));
      if (key != null) {
        r.header(spec.apiKeyHeader, spec.apiKeyHeader.equalsIgnoreCase("Authorization") ? "Bearer " + key : key);
      }
      long t0 = System.nanoTime();
      HttpResponse<String> resp = HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
      long ms = (System.nanoTime() - t0) / 1_000_000;
      rateLimited = resp.statusCode() == 429;
      if (rateLimited) {
        limited.incrementAndGet();
        retryAfter(resp).ifPresent(d -> budget.pauseUntil(System.currentTimeMillis() + d.toMillis()));
      }
      observeLimits(resp);
      return new Attempt(resp.statusCode(), resp.body(), resp, ms);
    } finally {
      concurrency.release(rateLimited);
    }
  }

  private String apiKey() {
    if (spec.apiKeyEnv == null || spec.apiKeyEnv.isBlank()) {
      return null;
    }
    String k = System.getenv(spec.apiKeyEnv);
    if (k == null || k.isBlank()) {
      throw new IllegalStateException("teacher " + spec.name + ": environment variable " + spec.apiKeyEnv
          + " (its API key) is not set");
    }
    return k;
  }

  /** Pauses the budget when the server says a limit is used up (x-ratelimit-remaining-* = 0). */
  private void observeLimits(HttpResponse<String> r) {
    for (String kind : new String[] {"requests", "tokens"}) {
      Optional<String> rem = r.headers().firstValue("x-ratelimit-remaining-" + kind);
      if (rem.isPresent() && rem.get().trim().equals("0")) {
        r.headers().firstValue("x-ratelimit-reset-" + kind).map(LlmClient::parseDuration)
            .ifPresent(d -> budget.pauseUntil(System.currentTimeMillis() + d.toMillis()));
      }
    }
  }

  /** The server's requested delay: retry-after-ms, or Retry-After in seconds or as an HTTP date. */
  static Optional<Duration> retryAfter(HttpResponse<?> r) {
    if (r == null) {
      return Optional.empty();
    }
    Optional<String> ms = r.headers().firstValue("retry-after-ms");
    if (ms.isPresent()) {
      try {
        return Optional.of(Duration.ofMillis((long) Double.parseDouble(ms.get().trim())));
      } catch (NumberFormatException ignored) {
        // fall through to Retry-After
      }
    }
    Optional<String> ra = r.headers().firstValue("retry-after");
    if (ra.isEmpty()) {
      return Optional.empty();
    }
    String v = ra.get().trim();
    try {
      return Optional.of(Duration.ofMillis((long) (Double.parseDouble(v) * 1000)));
    } catch (NumberFormatException e) {
      try {
        ZonedDateTime t = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
        long d = t.toInstant().toEpochMilli() - System.currentTimeMillis();
        return Optional.of(Duration.ofMillis(Math.max(0, d)));
      } catch (RuntimeException e2) {
        return Optional.empty();
      }
    }
  }

  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|h|m|s)");

  /**
   * An OpenAI reset duration ("1s", "6m0s", "20ms", "1h2m3.5s"; a bare number = seconds) as a
   * Duration; null when unreadable.
   */
  static Duration parseDuration(String s) {
    String v = s.trim();
    try {
      return Duration.ofMillis((long) (Double.parseDouble(v) * 1000));
    } catch (NumberFormatException ignored) {
      // unit form
    }
    Matcher m = PART.matcher(v);
    double ms = 0;
    boolean any = false;
    while (m.find()) {
      any = true;
      double n = Double.parseDouble(m.group(1));
      ms += switch (m.group(2)) {
        case "ms" -> n;
        case "s" -> n * 1000;
        case "m" -> n * 60_000;
        default -> n * 3_600_000;
      };
    }
    return any ? Duration.ofMillis((long) ms) : null;
  }
}
