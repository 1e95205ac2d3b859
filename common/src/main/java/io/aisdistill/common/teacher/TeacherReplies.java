package io.aisdistill.common.teacher;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aisdistill.common.llm.ChatCall;
import io.aisdistill.common.llm.ModelSpec;
import io.aisdistill.common.qa.Category;
import io.aisdistill.common.qa.GroundedTeacher;
import io.aisdistill.common.qa.QaPair;
import io.aisdistill.common.qa.WindowFacts;
import io.aisdistill.common.qa.WindowPrompt;
import io.aisdistill.common.track.TrackWindow;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Requests to and replies from a generating teacher: the {@link WindowPrompt} messages with the
 * output schema, and the parse of the reply text into {@link QaPair}s.
 *
 * <p>Schema (json_schema mode needs an object root): {@code {"pairs": [{category, question,
 * answer, reasoning, fact_key, value, unit}]}}; a bare JSON array (what the prompt asks for in
 * plain mode) and a reply wrapped in a Markdown code fence are read too.
 */
public final class TeacherReplies {
  private TeacherReplies() {}

  /** JSON Schema of a teacher reply (strict: every property required, no others). */
  public static final JsonNode SCHEMA = schema();

  /**
   * The reader of reply text: strict JSON (RFC 8259) except that raw control characters (U+0000 to
   * U+001F, e.g. a line feed) are accepted inside strings, as Python's {@code json.loads(strict=False)}
   * does. A llama.cpp grammar built from the reply schema lets a small model emit them (2 of 12
   * replies SmolLM2 ended on 2026-12-07), and they say nothing about the content: the pairs of such a
   * reply go to the judge like any other. Nothing else is relaxed (no comments, single quotes or
   * trailing commas).
   */
  private static final ObjectMapper REPLY_JSON = JsonMapper.builder()
      .enable(JsonReadFeature.ALLOW_UNESCAPED_CONTROL_CHARS)
      .build();

  /**
   * A parsed reply.
   *
   * @param pairs the well-formed pairs (any judge verdict still to come)
   * @param problems one reason per element or reply that could not be used (empty = clean):
   *     {@code EMPTY_REPLY}, {@code INVALID_JSON}, {@code SCHEMA_VIOLATION: ...}, {@code NO_PAIRS}
   *     (an empty pairs array), or {@code item N: ...}
   * @param outsideCategories well-formed pairs dropped because their category is not the teacher's
   */
  public record Parsed(List<QaPair> pairs, List<String> problems, int outsideCategories) {
    /** The problems as one text ("; " separated), or null when there are none. */
    public String problemText() {
      return problems.isEmpty() ? null : String.join("; ", problems);
    }
  }

  /** The request for {@code w} to generating teacher {@code spec}. */
  public static ChatCall request(ModelSpec spec, TrackWindow w) {
    WindowPrompt.Prompt p = WindowPrompt.build(w);
    return ChatCall.of(spec, p.system(), p.user(), "qa_pairs", SCHEMA);
  }

  /**
   * Parses {@code content} (the assistant text of call {@code callId}) for window {@code w}.
   * Elements missing a field, with an unknown category or of the wrong type become problems;
   * an unknown fact_key is kept (the grounded judge rejects it as UNKNOWN_FACT). Pair ids are
   * {@code GroundedTeacher.id(window_id, category, "llm", teacher, prompt_version, callId, index)}.
   *
   * @param categories categories the teacher keeps (empty = all)
   */
  public static Parsed parse(String content, TrackWindow w, String teacher, String callId, List<String> categories) {
    List<String> problems = new ArrayList<>();
    List<QaPair> pairs = new ArrayList<>();
    JsonNode arr = items(content, problems);
    int outside = 0;
    if (arr == null) {
      return new Parsed(pairs, problems, 0);
    }
    for (int i = 0; i < arr.size(); i++) {
      JsonNode e = arr.get(i);
      if (!e.isObject()) {
        problems.add("item " + i + ": not an object");
        continue;
      }
      String cat = text(e, "category");
      String q = text(e, "question");
      String a = text(e, "answer");
      if (cat == null || q == null || a == null) {
        problems.add("item " + i + ": missing category, question or answer");
        continue;
      }
      Category c = category(cat);
      if (c == null) {
        problems.add("item " + i + ": unknown category '" + cat + "'");
        continue;
      }
      if (!categories.isEmpty() && !categories.contains(c.label())) {
        outside++;
        continue;
      }
      if (w == null) {
        continue;
      }
      String key = text(e, "fact_key");
      WindowFacts.Fact f = key == null ? null : WindowFacts.get(key);
      Map<String, Object> facts = new LinkedHashMap<>();
      if (f != null) {
        facts.put(key, f.value(w));
      }
      String id = GroundedTeacher.id(w.windowId(), c.label(), "llm", teacher, WindowPrompt.VERSION, callId,
          Integer.toString(i));
      pairs.add(new QaPair(id, w.windowId(), w.mmsi(), c, q, a, text(e, "reasoning"), teacher, WindowPrompt.VERSION,
          "llm:" + teacher, f == null ? "text" : f.kind().label(), text(e, "value"),
          f == null ? text(e, "unit") : f.unit().label(), facts, key));
    }
    return new Parsed(pairs, problems, outside);
  }

  /**
   * The problems of a reply without building pairs (no window needed): what {@link #parse} would
   * report, as one text, or null when the reply is clean.
   */
  public static String problems(String content, List<String> categories) {
    return parse(content, null, null, null, categories).problemText();
  }

  /** The element array of a reply, or null with a problem added. */
  static JsonNode items(String content, List<String> problems) {
    if (content == null || content.isBlank()) {
      problems.add("EMPTY_REPLY");
      return null;
    }
    JsonNode root = readJson(content);
    if (root == null) {
      problems.add("INVALID_JSON");
      return null;
    }
    JsonNode arr = null;
    if (root.isObject()) {
      for (String k : new String[] {"pairs", "qa_pairs", "qa", "items"}) {
        if (arr == null && root.path(k).isArray()) {
          arr = root.get(k);
        }
      }
      if (arr == null) {
        problems.add("SCHEMA_VIOLATION: object without a 'pairs' array");
        return null;
      }
    } else if (root.isArray()) {
      arr = root;
    } else {
      problems.add("SCHEMA_VIOLATION: neither an array nor an object");
      return null;
    }
    if (arr.isEmpty()) {
      problems.add("NO_PAIRS");  // valid JSON, but nothing the stage can use: counted as malformed
      return null;
    }
    return arr;
  }

  /**
   * Reads JSON from a reply, tolerating a Markdown code fence around it and raw control characters
   * inside strings (as Python's json.loads(strict=False) does); null when invalid (a reply cut at
   * max_tokens, text that is not JSON).
   */
  public static JsonNode readJson(String content) {
    String s = content.strip();
    if (s.startsWith("```")) {
      int nl = s.indexOf('\n');
      int end = s.lastIndexOf("```");
      s = nl > 0 && end > nl ? s.substring(nl + 1, end).strip() : s;
    }
    try {
      return REPLY_JSON.readTree(s);
    } catch (IOException e) {
      return null;
    }
  }

  private static Category category(String s) {
    String n = s.trim().toLowerCase(Locale.ROOT);
    for (Category c : Category.values()) {
      if (c.label().equals(n)) {
        return c;
      }
    }
    return null;
  }

  static String text(JsonNode e, String field) {
    JsonNode v = e.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    String s = v.isTextual() ? v.asText() : v.toString();
    return s.isBlank() ? null : s;
  }

  private static JsonNode schema() {
    ObjectNode item = ChatCall.JSON.createObjectNode().put("type", "object");
    ObjectNode props = item.putObject("properties");
    ArrayNode cats = props.putObject("category").put("type", "string").putArray("enum");
    for (Category c : Category.values()) {
      cats.add(c.label());
    }
    for (String k : new String[] {"question", "answer", "reasoning", "fact_key", "value"}) {
      props.putObject(k).put("type", "string");
    }
    props.putObject("unit").putArray("type").add("string").add("null");
    ArrayNode req = item.putArray("required");
    props.fieldNames().forEachRemaining(req::add);
    item.put("additionalProperties", false);
    ObjectNode root = ChatCall.JSON.createObjectNode().put("type", "object");
    root.putObject("properties").putObject("pairs").put("type", "array").set("items", item);
    root.putArray("required").add("pairs");
    root.put("additionalProperties", false);
    return root;
  }
}
