package io.aisdistill.common.llm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aisdistill.common.text.Sha256;
import io.aisdistill.common.text.TokenCounter;
import java.util.ArrayList;
import java.util.List;

/**
 * One chat completion request, ready to send: the exact JSON body and its {@code call_id}.
 *
 * @param callId lower-case hex SHA-256 of the canonical body (model, messages and every parameter,
 *     keys sorted), followed by {@code "\nrevision=" + revision} when the model has a {@link
 *     ModelSpec#revision}: the same request to the same weights always has the same id, so it is
 *     paid once
 * @param body the request body as sent (canonical JSON; never holds the API key)
 * @param messages the chat messages, for token counting
 * @param maxTokens the most output tokens the request allows
 */
public record ChatCall(String callId, String body, List<TokenCounter.Message> messages, int maxTokens) {
  /** Canonical JSON (sorted keys) used for bodies and ids. */
  public static final ObjectMapper JSON = new ObjectMapper()
      .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  /**
   * Builds the request for {@code spec}: messages system + user; {@code max_tokens} and
   * {@code temperature}, or for reasoning models {@code max_completion_tokens} and
   * {@code reasoning_effort} (no temperature); {@code response_format} per
   * {@link ModelSpec#outputMode()} with {@code schema} (a JSON Schema object; the json_schema mode
   * sends it strict, json_object_schema as {@code {"type":"json_object","schema":...}}).
   *
   * @param schemaName name of the schema in the json_schema response format ([a-zA-Z0-9_-])
   */
  public static ChatCall of(ModelSpec spec, String system, String user, String schemaName, JsonNode schema) {
    return build(spec, system, user, spec.outputMode(), schemaName, schema);
  }

  /**
   * A plain-text request for {@code spec} (no {@code response_format}, whatever the spec's output
   * mode): the evaluate stage's question to a student, base model or teacher. An empty or null
   * {@code system} leaves the system message out (an export without a system turn).
   */
  public static ChatCall text(ModelSpec spec, String system, String user) {
    return build(spec, system, user, ModelSpec.OutputMode.NONE, null, null);
  }

  private static ChatCall build(ModelSpec spec, String system, String user, ModelSpec.OutputMode mode,
      String schemaName, JsonNode schema) {
    ObjectNode b = JSON.createObjectNode();
    b.put("model", spec.model);
    ArrayNode ms = b.putArray("messages");
    boolean hasSystem = system != null && !system.isEmpty();
    if (hasSystem) {
      ms.addObject().put("role", "system").put("content", system);
    }
    ms.addObject().put("role", "user").put("content", user);
    if (spec.reasoning()) {
      b.put("max_completion_tokens", spec.maxTokens);
      b.put("reasoning_effort", spec.reasoningEffort);
    } else {
      b.put("max_tokens", spec.maxTokens);
      if (spec.temperature != null) {
        b.put("temperature", spec.temperature);
      }
    }
    switch (mode) {
      case JSON_SCHEMA -> {
        ObjectNode rf = b.putObject("response_format");
        rf.put("type", "json_schema");
        ObjectNode js = rf.putObject("json_schema");
        js.put("name", schemaName);
        js.put("strict", true);
        js.set("schema", schema);
      }
      case JSON_OBJECT -> b.putObject("response_format").put("type", "json_object");
      case JSON_OBJECT_SCHEMA -> b.putObject("response_format").put("type", "json_object").set("schema", schema);
      case NONE -> { }
    }
    String body;
    try {
      body = JSON.writeValueAsString(JSON.treeToValue(b, Object.class));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize a request: " + e.getMessage(), e);
    }
    List<TokenCounter.Message> m = new ArrayList<>();
    if (hasSystem) {
      m.add(new TokenCounter.Message("system", system));
    }
    m.add(new TokenCounter.Message("user", user));
    return new ChatCall(id(body, spec.revision), body, List.copyOf(m), spec.maxTokens);
  }

  /** The call_id of {@code body} sent to weights {@code revision} (null = none); see the record Javadoc. */
  public static String id(String body, String revision) {
    return Sha256.hex(revision == null || revision.isEmpty() ? body : body + "\nrevision=" + revision);
  }

  /**
   * The call of a body built by {@link #of} (e.g. read back from a table): same id, messages and
   * output-token limit.
   *
   * @throws IllegalArgumentException when {@code body} is not such a request
   */
  public static ChatCall fromBody(String body) {
    return fromBody(body, null);
  }

  /**
   * As {@link #fromBody(String)} for a model with {@link ModelSpec#revision} {@code revision}.
   *
   * @throws IllegalArgumentException when {@code body} is not such a request
   */
  public static ChatCall fromBody(String body, String revision) {
    try {
      JsonNode b = JSON.readTree(body);
      List<TokenCounter.Message> m = new ArrayList<>();
      for (JsonNode x : b.path("messages")) {
        m.add(new TokenCounter.Message(x.path("role").asText(), x.path("content").asText()));
      }
      int max = b.has("max_completion_tokens") ? b.get("max_completion_tokens").asInt() : b.path("max_tokens").asInt(0);
      return new ChatCall(id(body, revision), body, List.copyOf(m), max);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a chat request body: " + e.getOriginalMessage(), e);
    }
  }
}
