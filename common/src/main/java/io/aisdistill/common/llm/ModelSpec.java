package io.aisdistill.common.llm;

import java.io.Serializable;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One model of a teacher mix ({@link TeacherConfig}) or models file ({@link ModelsFile}): where it
 * is served, what it does, what it may spend and what it costs. Keys in the YAML file are snake_case
 * ({@code base_url}, {@code api_key_env}, ...). The API key itself never appears here: only the name of the
 * environment variable holding it.
 *
 * <p>Roles: {@code generate} and {@code judge} in a teacher file ({@code --teachers}); {@code
 * student}, {@code base}, {@code teacher} (models compared by the evaluate stage) and {@code judge}
 * (scores free-text answers) in a models file ({@code --models}). A {@code teacher} entry without
 * {@code base_url} is a price reference: never called, listed in the evaluation report with its
 * cost per 1,000 queries estimated from the evaluated prompts.
 *
 * <p>Kinds: {@code llm} (default: a model served at {@code base_url}) or {@code grounded}: the
 * offline grounded teacher as a {@code generate} member of a teacher mix, with {@code share} or
 * {@code categories} like the LLMs; it makes no calls, costs nothing, and its pairs are recorded as
 * teacher {@code grounded} (its name, which may be left out).
 */
public class ModelSpec implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Role of a model. */
  public enum Role {
    /** Generates QA pairs (teacher file). */
    GENERATE,
    /** Judges QA pairs (teacher file) or free-text answers (models file). */
    JUDGE,
    /** Evaluated: the fine-tuned student (base + LoRA adapter). */
    STUDENT,
    /** Evaluated: the student's base model without the adapter. */
    BASE,
    /** Evaluated: a teacher LLM (e.g. GPT-4o); without base_url a price reference only. */
    TEACHER
  }

  /** Structured-output mode sent as {@code response_format}. */
  public enum OutputMode {
    /** {@code {"type":"json_schema","json_schema":{...,"strict":true}}} (OpenAI, Azure, vLLM, llama.cpp). */
    JSON_SCHEMA,
    /** {@code {"type":"json_object"}}: JSON mode; the reply is validated against the schema here. */
    JSON_OBJECT,
    /**
     * {@code {"type":"json_object","schema":{...}}}: JSON mode constrained by the schema, the form
     * llama-cpp-python's server (0.3.x) accepts: it compiles the schema into a llama.cpp grammar, so
     * every sampled token keeps the reply valid for the schema. Its request model knows only
     * {@code text} and {@code json_object}: {@code "type":"json_schema"} gets HTTP 500 (a
     * validation error, retried as a server error, then recorded as failed). For OpenAI, Azure and
     * vLLM use {@link #JSON_SCHEMA}. The reply is validated here as well.
     */
    JSON_OBJECT_SCHEMA,
    /** No response_format; the reply is validated here. */
    NONE
  }

  /**
   * Value of {@link #kind} for the offline grounded teacher, and the teacher name its pairs are
   * recorded under: the same text as {@code io.aisdistill.common.qa.GroundedTeacher.TEACHER}
   * (written out here so that this transport package does not depend on the domain; a test keeps
   * the two equal).
   */
  public static final String GROUNDED = "grounded";

  /** llm (called at base_url) or grounded (the offline grounded teacher; see the class Javadoc). */
  public String kind = "llm";
  /** Teacher name recorded in qa_candidates.teacher and llm_calls.teacher (also the endpoint name). */
  public String name;
  /** generate or judge. */
  public String role = "generate";
  /** Model id sent to the server (e.g. gpt-4o-2024-08-06, o3-mini, Qwen/Qwen2.5-7B-Instruct). */
  public String model;
  /**
   * API base URL ending in /v1 (the client POSTs to base_url + "/chat/completions"); may be left
   * out only by a {@code teacher} of a models file (a price reference, never called).
   */
  public String baseUrl;
  /**
   * Identifies the weights behind the endpoint when the model id does not (e.g. the LoRA
   * adapter's SHA-256 behind a server alias "student"): part of the call_id, so answers of other
   * weights are never reused. Null = the model id alone.
   */
  public String revision;
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
  /** Where the prices come from, for the report (e.g. "OpenAI list price, 2026-11"). */
  public String priceNote;
  /** Self-hosted: the hardware serving the model, for the report (e.g. "1x NVIDIA A10G"). */
  public String gpu;
  /** Self-hosted: USD per hour of that hardware (> 0 makes the model self-hosted-priced). */
  public double gpuUsdPerHour = 0;
  /**
   * Self-hosted: sustained throughput of the server in queries per second; 0 = measured by the
   * evaluation (max_concurrency / mean latency of the model's calls, Little's law).
   */
  public double queriesPerSecond = 0;
  /** Most output tokens (max_tokens, or max_completion_tokens for reasoning models). */
  public int maxTokens = 1024;
  /** Sampling temperature (not sent to reasoning models). */
  public Double temperature = 0.2;
  /** Set for reasoning models (o1/o3/o4-mini, gpt-5): low, medium or high; implies no temperature. */
  public String reasoningEffort;
  /** json_schema, json_object, json_object_schema (llama-cpp-python's server) or none; see {@link OutputMode}. */
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

  /** True for the offline grounded teacher ({@code kind: grounded}). */
  public boolean grounded() {
    return kind != null && GROUNDED.equals(kind.trim().toLowerCase(Locale.ROOT));
  }

  /** True when the model is called (it has a base_url); false for a price reference. */
  public boolean called() {
    return baseUrl != null && !baseUrl.isBlank();
  }

  /** True for the roles the evaluate stage compares: student, base, teacher. */
  public boolean evaluated() {
    Role r = roleEnum();
    return r == Role.STUDENT || r == Role.BASE || r == Role.TEACHER;
  }

  /** The chat completions URL. */
  public URI chatUrl() {
    String b = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    return URI.create(b + "/chat/completions");
  }

  /** The endpoint as recorded in tables: name and the base URL without query or user info. */
  public String endpointLabel() {
    if (!called()) {
      return name + " (not called)";
    }
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
    if (grounded()) {
      validateGrounded();
      return;
    }
    if (kind == null || !"llm".equals(kind.trim().toLowerCase(Locale.ROOT))) {
      throw new IllegalArgumentException("model " + name + ": kind must be llm or grounded, got " + kind);
    }
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("teacher model without a name");
    }
    if (model == null || model.isBlank()) {
      throw new IllegalArgumentException("model " + name + ": model is required");
    }
    Role r = roleEnum();
    if (!called() && r != Role.TEACHER) {
      throw new IllegalArgumentException("model " + name + ": base_url is required (only a teacher of a models "
          + "file may leave it out, as a price reference; the offline grounded teacher is kind: grounded)");
    }
    outputMode();
    if (gpuUsdPerHour < 0 || queriesPerSecond < 0 || priceInPerMtok < 0 || priceOutPerMtok < 0) {
      throw new IllegalArgumentException("model " + name + ": prices and throughput must be >= 0");
    }
    if (share < 0 || rpm < 0 || tpm < 0 || maxConcurrency < 1 || maxAttempts < 1 || timeoutS <= 0 || maxTokens < 1) {
      throw new IllegalArgumentException("teacher " + name + ": share/rpm/tpm must be >= 0, max_concurrency, "
          + "max_attempts, max_tokens >= 1, timeout_s > 0");
    }
  }

  /** Checks a {@code kind: grounded} entry and names it {@value #GROUNDED} when the name is left out. */
  private void validateGrounded() {
    if (name == null || name.isBlank()) {
      name = GROUNDED;
    }
    if (!GROUNDED.equals(name)) {
      throw new IllegalArgumentException("the grounded teacher's pairs are recorded as teacher " + GROUNDED
          + ": name it " + GROUNDED + " or leave the name out (got " + name + ")");
    }
    if (roleEnum() != Role.GENERATE) {
      throw new IllegalArgumentException("model " + name + ": kind grounded is a generate-teacher (role generate)");
    }
    if (called() || model != null) {
      throw new IllegalArgumentException("model " + name + ": kind grounded is offline, without base_url or model");
    }
    if (share < 0) {
      throw new IllegalArgumentException("teacher " + name + ": share must be >= 0");
    }
  }
}
