package io.aisdistill.common.teacher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aisdistill.common.llm.ChatCall;
import io.aisdistill.common.llm.ModelSpec;
import io.aisdistill.common.qa.GroundedTeacher;
import io.aisdistill.common.qa.QaPair;
import io.aisdistill.common.qa.TestWindows;
import io.aisdistill.common.track.TrackWindow;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Parsing teacher and judge replies. Malformed parts are reported, never dropped silently. */
class RepliesTest {
  static final String PAIR = "{\"category\": \"kinematics\", \"question\": \"What was the mean speed?\", "
      + "\"answer\": \"12.0 knots\", \"reasoning\": \"r\", \"fact_key\": \"sog_mean_kn\", \"value\": \"12.0\", \"unit\": \"knots\"}";

  @Test
  void parsesObjectArrayAndFencedReplies() {
    TrackWindow w = TestWindows.cargoUnderway();
    for (String reply : List.of("{\"pairs\": [" + PAIR + "]}", "[" + PAIR + "]", "```json\n[" + PAIR + "]\n```")) {
      TeacherReplies.Parsed p = TeacherReplies.parse(reply, w, "t", "call1", List.of());
      assertEquals(1, p.pairs().size(), reply);
      assertNull(p.problemText());
      QaPair q = p.pairs().get(0);
      assertEquals("sog_mean_kn", q.factKey());
      assertEquals("number", q.claimKind());
      assertEquals("t", q.teacher());
      assertEquals("window-v2", q.promptVersion());
      assertEquals(14.59, (Double) q.facts().get("sog_mean_kn"), 1e-9); // the fact recomputed from the rows
      assertTrue(q.facts().containsKey("sog_mean_kn"));
    }
    assertEquals(TeacherReplies.parse("[" + PAIR + "]", w, "t", "c", List.of()).pairs().get(0).qaId(),
        TeacherReplies.parse("[" + PAIR + "]", w, "t", "c", List.of()).pairs().get(0).qaId());
  }

  @Test
  void aRemovedFactKeyIsKeptForTheJudgeToReject() {
    TrackWindow w = TestWindows.cargoUnderway();
    String old = PAIR.replace("sog_mean_kn", "n_points").replace("\"kinematics\"", "\"temporal\"");
    QaPair q = TeacherReplies.parse("[" + old + "]", w, "t", "c", List.of()).pairs().get(0);
    assertEquals("n_points", q.factKey());
    assertEquals("text", q.claimKind());
    assertTrue(q.facts().isEmpty());
    assertEquals(List.of("UNKNOWN_FACT"),
        new io.aisdistill.common.judge.GroundedJudge().judge(q, w).reasonCodes());
  }

  @Test
  void reportsMalformedReplies() {
    TrackWindow w = TestWindows.cargoUnderway();
    assertEquals("INVALID_JSON", TeacherReplies.problems("{\"pairs\": [", List.of()));
    assertEquals("EMPTY_REPLY", TeacherReplies.problems("", List.of()));
    assertTrue(TeacherReplies.problems("{\"x\": 1}", List.of()).startsWith("SCHEMA_VIOLATION"));
    assertEquals("NO_PAIRS", TeacherReplies.problems("{\"pairs\": []}", List.of()));
    assertEquals("NO_PAIRS", TeacherReplies.problems("[]", List.of()));
    TeacherReplies.Parsed p = TeacherReplies.parse("[" + PAIR + ", {\"category\": \"weather\", \"question\": \"q?\", "
        + "\"answer\": \"a\"}, {\"question\": \"q?\"}, 3]", w, "t", "c", List.of());
    assertEquals(1, p.pairs().size());
    assertEquals(3, p.problems().size(), p.problems().toString());
    TeacherReplies.Parsed only = TeacherReplies.parse("[" + PAIR + "]", w, "t", "c", List.of("route"));
    assertEquals(0, only.pairs().size());
    assertEquals(1, only.outsideCategories());
  }

  /**
   * Two replies SmolLM2-135M ended (finish_reason stop) under the llama.cpp grammar on 2026-12-07
   * (bench/teacher-smollm2 20, calls c7a408b4b4a9 and 56129d404565), verbatim but for the long
   * number shortened: each holds a raw line feed inside a JSON string. They parse, and their pairs
   * reach the grounded judge, which rejects them for what they say, not for how they are encoded.
   */
  @Test
  void rawControlCharactersInsideStringsAreRead() {
    TrackWindow w = TestWindows.cargoUnderway();
    String r1 = "{ \"pairs\": [ { \"answer\" : \",.5,102.2 },\n    \",\"category\" : \"behaviour\", \"fact_key\" : "
        + "\"stationary\", \"question\" : \"maximum speed of the last row in rows with SOG below 0.5 knots (not a speed)\", "
        + "\"reasoning\" : \"no movement, implied speed above 1 knot\", \"unit\" : \"non-existent status unknown\", "
        + "\"value\" : \"value not available for this data set\"}] }";
    String r2 = "{ \"pairs\": [ { \"answer\" : \"Syst\u00e8ra 1\", \"category\" : \"behaviour\",\"fact_key\":\"972803645\","
        + "\"question\":\"What is the maximum speed of a ship that can be teleported from any point on Earth to another "
        + "point on the Moon? \" , \"reasoning\": \"The answer is no, it cannot be more than 1.5 kilometers per hour.\","
        + "\"unit\" : \"km/h\", \"value\": \"20.49783632121111111111111024637985113237}\n\" } ]}";
    for (String reply : List.of(r1, r2)) {
      TeacherReplies.Parsed p = TeacherReplies.parse(reply, w, "smollm2", "c", List.of());
      assertNull(p.problemText(), reply);
      assertEquals(1, p.pairs().size());
      assertTrue((p.pairs().get(0).answer() + p.pairs().get(0).claim()).contains("\n"), "the line feed is kept");
      io.aisdistill.common.judge.Verdict v = new io.aisdistill.common.judge.GroundedJudge().judge(p.pairs().get(0), w);
      assertFalse(v.accepted(), reply);
      assertTrue(v.reasonCodes().contains("UNKNOWN_FACT"), "neither 'stationary' nor '972803645' is a fact key: "
          + v.reasonCodes());
    }
    // Only control characters are let in: a reply cut short, single quotes, comments and trailing
    // commas stay INVALID_JSON.
    assertEquals("INVALID_JSON", TeacherReplies.problems(r1.substring(0, 120), List.of()));
    assertEquals("INVALID_JSON", TeacherReplies.problems("{'pairs': [" + PAIR + "]}", List.of()));
    assertEquals("INVALID_JSON", TeacherReplies.problems("{\"pairs\": [" + PAIR + ",]}", List.of()));
    assertEquals("INVALID_JSON", TeacherReplies.problems("{/* c */ \"pairs\": [" + PAIR + "]}", List.of()));
    // The judge's replies go through the same reader.
    assertEquals(Boolean.TRUE, AnswerJudge.parse("{\"correct\": true, \"justification\": \"a\nb\"}").correct());
  }

  @Test
  void responseFormatFollowsTheOutputMode() throws Exception {
    TrackWindow w = TestWindows.cargoUnderway();
    ModelSpec m = new ModelSpec();
    m.name = "t";
    m.model = "m";
    m.baseUrl = "http://127.0.0.1:1/v1";
    java.util.Map<String, com.fasterxml.jackson.databind.JsonNode> rf = new java.util.TreeMap<>();
    for (String mode : List.of("json_schema", "json_object", "json_object_schema", "none")) {
      m.responseFormat = mode;
      m.validate();
      rf.put(mode, ChatCall.JSON.readTree(TeacherReplies.request(m, w).body()).path("response_format"));
    }
    assertEquals("json_schema", rf.get("json_schema").path("type").asText());
    assertEquals(TeacherReplies.SCHEMA, rf.get("json_schema").path("json_schema").path("schema"));
    assertTrue(rf.get("json_schema").path("json_schema").path("strict").asBoolean());
    assertEquals(ChatCall.JSON.readTree("{\"type\":\"json_object\"}"), rf.get("json_object"));
    // llama-cpp-python's form: JSON mode plus the schema, which its server compiles to a grammar
    assertEquals("json_object", rf.get("json_object_schema").path("type").asText());
    assertEquals(TeacherReplies.SCHEMA, rf.get("json_object_schema").path("schema"));
    assertEquals(2, rf.get("json_object_schema").size());
    assertTrue(rf.get("none").isMissingNode());
  }

  @Test
  void parsesJudgeScores() {
    JudgeRubric.Scores s = JudgeRubric.parse("{\"faithfulness\": 5, \"answerability\": 4, \"format\": \"4\", "
        + "\"justification\": \"ok\"}");
    assertNull(s.problem());
    assertTrue(s.passes(4));
    assertTrue(!s.passes(5));
    assertTrue(JudgeRubric.parse("{\"faithfulness\": 9}").problem().startsWith("SCHEMA_VIOLATION"));
    assertEquals("INVALID_JSON", JudgeRubric.parse("not json").problem());
  }

  @Test
  void theGroundedKindIsTheGroundedTeachersName() {
    // llm.ModelSpec spells the name out so that the transport package does not depend on qa
    assertEquals(GroundedTeacher.TEACHER, ModelSpec.GROUNDED);
  }
}
