package io.aisdistill.common.teacher;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
