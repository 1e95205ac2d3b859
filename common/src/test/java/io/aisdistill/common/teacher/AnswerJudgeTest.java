package io.aisdistill.common.teacher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aisdistill.common.llm.ChatCall;
import io.aisdistill.common.llm.ModelSpec;
import org.junit.jupiter.api.Test;

/** Parsing of the evaluate stage's LLM-judge replies, and the request it sends. */
class AnswerJudgeTest {
  @Test
  void parsesVerdicts() {
    assertEquals(Boolean.TRUE, AnswerJudge.parse("{\"correct\": true, \"justification\": \"same speed\"}").correct());
    assertEquals(Boolean.FALSE, AnswerJudge.parse("```json\n{\"correct\": false, \"justification\": \"x\"}\n```").correct());
    assertEquals(Boolean.TRUE, AnswerJudge.parse("{\"correct\": \"True\", \"justification\": \"x\"}").correct());
    assertEquals("same speed", AnswerJudge.parse("{\"correct\": true, \"justification\": \"same speed\"}").justification());
  }

  @Test
  void unusableRepliesAreProblemsNotVerdicts() {
    assertEquals("EMPTY_REPLY", AnswerJudge.parse("").problem());
    assertEquals("INVALID_JSON", AnswerJudge.parse("yes, it is correct").problem());
    AnswerJudge.Grade v = AnswerJudge.parse("{\"correct\": \"maybe\", \"justification\": \"?\"}");
    assertNull(v.correct());
    assertTrue(v.problem().startsWith("SCHEMA_VIOLATION"));
  }

  @Test
  void requestCarriesQuestionReferenceFactsAndAnswer() {
    ModelSpec judge = new ModelSpec();
    judge.name = "grader";
    judge.role = "judge";
    judge.model = "gpt-4o-mini";
    judge.baseUrl = "http://127.0.0.1:1/v1";
    ChatCall c = AnswerJudge.request(judge, "Was it moored?", "Yes, moored.", "{\"behaviour\":\"moored\"}", "No.");
    assertTrue(c.body().contains("Reference answer: Yes, moored."));
    assertTrue(c.body().contains("Model's answer: No."));
    assertTrue(c.body().contains("\"json_schema\""), "strict schema in json_schema mode");
    assertFalse(c.callId().equals(AnswerJudge.request(judge, "Was it moored?", "Yes, moored.",
        "{\"behaviour\":\"moored\"}", "Yes.").callId()), "another answer is another call");
  }
}
