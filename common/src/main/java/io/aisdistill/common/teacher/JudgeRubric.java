package io.aisdistill.common.teacher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aisdistill.common.llm.ChatCall;
import io.aisdistill.common.llm.ModelSpec;
import io.aisdistill.common.qa.QaPair;
import io.aisdistill.common.qa.WindowPrompt;
import io.aisdistill.common.track.TrackWindow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The LLM judge's rubric: the request for one QA pair (window context, question, answer,
 * reasoning) and the parse of its scores. Criteria, each an integer 1 (worst) to 5 (best):
 * {@code faithfulness} (every stated value agrees with the window facts and track),
 * {@code answerability} (the question can be answered from the window alone) and {@code format}
 * (one clear question, a direct answer with units spelled out, a reasoning that leads to it); plus
 * a short {@code justification}.
 */
public final class JudgeRubric {
  private JudgeRubric() {}

  /** Version of the rubric text. */
  public static final String VERSION = "rubric-v1";
  /** The scored criteria, in order. */
  public static final List<String> CRITERIA = List.of("faithfulness", "answerability", "format");
  /** JSON Schema of a judge reply. */
  public static final JsonNode SCHEMA = schema();

  /**
   * A parsed verdict.
   *
   * @param scores criterion -> score 1-5 (empty when unparseable)
   * @param justification the judge's text, or null
   * @param problem why the reply could not be used, or null
   */
  public record Scores(Map<String, Double> scores, String justification, String problem) {
    /** True when every criterion scored at least {@code min}. */
    public boolean passes(double min) {
      return problem == null && CRITERIA.stream().allMatch(c -> scores.getOrDefault(c, 0.0) >= min);
    }
  }

  /** The system message: role, criteria, scale and output format. */
  public static String systemMessage() {
    return "You are a strict reviewer of training data about AIS vessel tracks. You get one window of a "
        + "vessel's AIS track (facts and track) and one question-answer pair written about it.\n"
        + "Score each criterion as an integer from 1 (worst) to 5 (best):\n"
        + "- faithfulness: every value the answer and reasoning state agrees with the given facts and track; "
        + "nothing is invented.\n"
        + "- answerability: the question can be answered from this window alone.\n"
        + "- format: one clear question ending with '?', a direct answer with units spelled out, a short "
        + "reasoning that leads to the answer.\n"
        + "Output: a JSON object only: {\"faithfulness\": int, \"answerability\": int, \"format\": int, "
        + "\"justification\": string (one or two sentences)}.";
  }

  /** The judge request for {@code q} about {@code w}. */
  public static ChatCall request(ModelSpec spec, QaPair q, TrackWindow w) {
    String user = WindowPrompt.context(w) + "\nQuestion: " + q.question() + "\nAnswer: " + q.answer()
        + "\nReasoning: " + (q.reasoning() == null ? "(none)" : q.reasoning())
        + "\n\nScore this pair. Answer with the JSON object only.";
    return ChatCall.of(spec, systemMessage(), user, "qa_review", SCHEMA);
  }

  /** Parses a judge reply; scores outside 1-5 or missing criteria make it a problem. */
  public static Scores parse(String content) {
    JsonNode root = content == null ? null : TeacherReplies.readJson(content);
    if (root == null || !root.isObject()) {
      return new Scores(Map.of(), null, content == null || content.isBlank() ? "EMPTY_REPLY" : "INVALID_JSON");
    }
    Map<String, Double> s = new LinkedHashMap<>();
    List<String> bad = new ArrayList<>();
    for (String c : CRITERIA) {
      JsonNode v = root.get(c);
      double d = v != null && v.isNumber() ? v.asDouble() : v != null && v.isTextual() ? number(v.asText()) : Double.NaN;
      if (Double.isNaN(d) || d < 1 || d > 5) {
        bad.add(c);
      } else {
        s.put(c, d);
      }
    }
    String just = TeacherReplies.text(root, "justification");
    return new Scores(s, just, bad.isEmpty() ? null : "SCHEMA_VIOLATION: bad or missing " + String.join(", ", bad));
  }

  private static double number(String s) {
    try {
      return Double.parseDouble(s.trim());
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  private static JsonNode schema() {
    ObjectNode root = ChatCall.JSON.createObjectNode().put("type", "object");
    ObjectNode p = root.putObject("properties");
    for (String c : CRITERIA) {
      p.putObject(c).put("type", "integer");
    }
    p.putObject("justification").put("type", "string");
    var req = root.putArray("required");
    p.fieldNames().forEachRemaining(req::add);
    root.put("additionalProperties", false);
    return root;
  }
}
