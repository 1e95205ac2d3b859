package io.aisdistill.common.teacher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aisdistill.common.llm.ChatCall;
import io.aisdistill.common.llm.ModelSpec;

/**
 * The evaluate stage's LLM judge of a free-text answer (an item without a fact key, so no
 * grounded check applies): the request gives the question, the reference answer, the window
 * facts the reference rests on and the model's answer; the judge replies whether the model's
 * answer agrees with the reference and the facts. Reply: {@code {"correct": boolean,
 * "justification": string}} (JSON Schema {@link #SCHEMA}, strict in json_schema mode).
 */
public final class AnswerJudge {
  private AnswerJudge() {}

  /** Version of the instructions, recorded with each verdict's call. */
  public static final String VERSION = "answer-judge-v1";
  /** JSON Schema of a reply. */
  public static final JsonNode SCHEMA = schema();

  /**
   * A parsed grade of one answer (named apart from the grounded judge's {@link
   * io.aisdistill.common.judge.Verdict}).
   *
   * @param correct the judge's verdict; null when the reply is unusable
   * @param justification the judge's reason, or null
   * @param problem why the reply could not be used ({@code EMPTY_REPLY}, {@code INVALID_JSON},
   *     {@code SCHEMA_VIOLATION: ...}), or null
   */
  public record Grade(Boolean correct, String justification, String problem) {}

  /** The system message: the task, what counts as correct, the output format. */
  public static String systemMessage() {
    return "You grade answers to questions about one window of a vessel's AIS track. You get the question, "
        + "the reference answer, the window facts it rests on (JSON) and a model's answer.\n"
        + "The model's answer is correct when it states the same result as the reference (numbers may differ "
        + "by rounding or be given in other units: knots, km/h, nautical miles, minutes, hours) and states "
        + "nothing that contradicts the facts. A refusal, an evasive or an off-topic answer is incorrect.\n"
        + "Output: a JSON object only: {\"correct\": true or false, \"justification\": string (one sentence)}.";
  }

  /**
   * The judge request for one answer.
   *
   * @param spec the judge model (role {@code judge} of the models file)
   * @param question the item's question
   * @param referenceAnswer the reference answer
   * @param factsJson the item's facts as a JSON object text (may be null)
   * @param modelAnswer the answer to grade
   */
  public static ChatCall request(ModelSpec spec, String question, String referenceAnswer, String factsJson,
      String modelAnswer) {
    String user = "Question: " + question + "\nReference answer: " + referenceAnswer
        + "\nWindow facts: " + (factsJson == null || factsJson.isBlank() ? "{}" : factsJson)
        + "\nModel's answer: " + (modelAnswer == null ? "" : modelAnswer)
        + "\n\nIs the model's answer correct? Answer with the JSON object only.";
    return ChatCall.of(spec, systemMessage(), user, "answer_grade", SCHEMA);
  }

  /** Parses a reply; a missing or non-boolean {@code correct} makes it a problem. */
  public static Grade parse(String content) {
    JsonNode root = content == null ? null : TeacherReplies.readJson(content);
    if (root == null || !root.isObject()) {
      return new Grade(null, null, content == null || content.isBlank() ? "EMPTY_REPLY" : "INVALID_JSON");
    }
    JsonNode c = root.get("correct");
    Boolean correct = null;
    if (c != null && c.isBoolean()) {
      correct = c.asBoolean();
    } else if (c != null && c.isTextual() && c.asText().trim().matches("(?i)true|false")) {
      correct = Boolean.parseBoolean(c.asText().trim());
    }
    String just = TeacherReplies.text(root, "justification");
    return new Grade(correct, just, correct == null ? "SCHEMA_VIOLATION: bad or missing correct" : null);
  }

  private static JsonNode schema() {
    ObjectNode root = ChatCall.JSON.createObjectNode().put("type", "object");
    ObjectNode p = root.putObject("properties");
    p.putObject("correct").put("type", "boolean");
    p.putObject("justification").put("type", "string");
    root.putArray("required").add("correct").add("justification");
    root.put("additionalProperties", false);
    return root;
  }
}
