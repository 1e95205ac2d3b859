package io.aisdistill.common.llm;

import java.io.Serializable;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One model of the teacher mix ({@link TeacherConfig}): where it is served, what it does, what it
 * may spend and what it costs. Keys in the YAML file are snake_case ({@code base_url},
 * {@code api_key_env}, ...). The API key itself never appears here: only the name of the
 * environment variable holding it.
 */
public class ModelSpec implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Role of a model. */
  public enum Role { GENERATE, JUDGE }

  /** Structured-output mode sent as {@code response_format}. */
  public enum OutputMode {
    /** {@code {"type":"json_schema","json_schema":{...,"strict":true}}} (OpenAI, Azure, vLLM, llama.cpp). */
    JSON_SCHEMA,
    /** {@code {"type":"json_object"}}: JSON mode; the reply is validated against the schema here. */
    JSON_OBJECT,
    /** No response_format; the reply is validated here. */
    NONE
  }

  /** Teacher name recorded in qa_candidates.teacher and llm_calls.teacher (also the endpoint name). */
  public String name;
  /** generate or judge. */
  public String role = "generate";
  /** Model id sent to the server (e.g. gpt-4o-2024-08-06, o3-mini, Qwen/Qwen2.5-7B-Instruct). */
  public String model;
  /** API base URL ending in /v1 (the client POSTs to base_url + "/chat/completions"). */
  public String baseUrl;
  /** Name of the environment variable holding the API key; null = no key sent. */
  public String apiKeyEnv;
  /** Header carrying the key: "Authorization" (sent as "Bearer KEY") or e.g. "api-key" (Azure). */
  public String apiKeyHeader = "Authorization";
  /** Categories this generate-teacher keeps (empty = all); pairs of other categories are counted, not stored. */
  public List<String> categories = new ArrayList<>();
  /** Share of the windows (0-1) this generate-teacher receives; shares of the generate-teachers are normalized. */
  public double share = 1.0;
  /** Requests per minute allowed by the provider (0 = unlimited). */
  public double rpm = 0;
  /** Tokens per minute allowed by the provider, counted as prompt tokens + max output tokens (0 = unlimited). */
  public double tpm = 0;
  /** Fraction of rpm/tpm the client aims at (leaves room for clock skew). */
  public double limitHeadroom = 0.98;
  /** USD per million input tokens. */
  public double priceInPerMtok = 0;
  /** USD per million output tokens. */
  public double priceOutPerMtok = 0;
  /** Most output tokens (max_tokens, or max_completion_tokens for reasoning models). */
  public int maxTokens = 1024;
  /** Sampling temperature (not sent to reasoning models). */
  public Double temperature = 0.2;
  /** Set for reasoning models (o1/o3/o4-mini, gpt-5): low, medium or high; implies no temperature. */
  public String reasoningEffort;
  /** json_schema, json_object or none. */
  public String responseFormat = "json_schema";
  /** Per-request timeout, seconds. */
  public double timeoutS = 120;
  /** Most requests in flight per Spark task (AIMD halves it on 429 and grows it back). */
  public int maxConcurrency = 8;
  /** Attempts per call, the first included (429, 5xx, timeouts and resets are retried). */
  public int maxAttempts = 6;
  /** First retry delay, milliseconds (doubles per attempt, with jitter). */
  public long backoffInitialMs = 500;
  /** Longest retry delay, milliseconds. */
  public long backoffMaxMs = 30_000;

  /** The role as enum. @throws IllegalArgumentException for another value */
  public Role roleEnum() {
    return Role.valueOf(role.trim().toUpperCase(Locale.ROOT));
  }

  /** The output mode as enum. @throws IllegalArgumentException for another value */
  public OutputMode outputMode() {
    return OutputMode.valueOf(responseFormat.trim().toUpperCase(Locale.ROOT));
  }

  /** True for reasoning models (reasoning_effort set): max_completion_tokens, no temperature. */
  public boolean reasoning() {
    return reasoningEffort != null && !reasoningEffort.isBlank();
  }

  /** The chat completions URL. */
  public URI chatUrl() {
    String b = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    return URI.create(b + "/chat/completions");
  }

  /** The endpoint as recorded in tables: name and the base URL without query or user info. */
  public String endpointLabel() {
    URI u = URI.create(baseUrl);
    return name + " " + u.getScheme() + "://" + u.getHost() + (u.getPort() > 0 ? ":" + u.getPort() : "")
        + (u.getPath() == null ? "" : u.getPath());
  }

  /** USD for the given token counts. */
  public double cost(long tokensIn, long tokensOut) {
    return tokensIn * priceInPerMtok / 1e6 + tokensOut * priceOutPerMtok / 1e6;
  }

  /**
   * Checks the entry.
   *
   * @throws IllegalArgumentException naming the first problem
   */
  public void validate() {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("teacher model without a name");
    }
    if (model == null || model.isBlank() || baseUrl == null || baseUrl.isBlank()) {
      throw new IllegalArgumentException("teacher " + name + ": model and base_url are required");
    }
    roleEnum();
    outputMode();
    if (share < 0 || rpm < 0 || tpm < 0 || maxConcurrency < 1 || maxAttempts < 1 || timeoutS <= 0 || maxTokens < 1) {
      throw new IllegalArgumentException("teacher " + name + ": share/rpm/tpm must be >= 0, max_concurrency, "
          + "max_attempts, max_tokens >= 1, timeout_s > 0");
    }
  }
}
