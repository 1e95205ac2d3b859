package io.aisdistill.common.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aisdistill.common.text.Sha256;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvalExamplesTest {
  static final List<String> MODELS = List.of("student", "base", "gpt-4o");
  static final String LONG = "x".repeat(400) + " tail-that-is-cut";

  /**
   * kinematics k0..k7 (k6: base has no row, k7: base's call failed), behaviour b0..b7 (b6: only
   * the student answered, b7: gpt-4o's answer is null), route r0 (the only one). The student
   * answers k* with "12.5 | 13 knots" on two lines, base answers with a long text, gpt-4o "12 knots".
   */
  static List<EvalAnswer> answers() {
    List<EvalAnswer> out = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      String k = "k" + i;
      out.add(ans("student", k, "kinematics", "12.5 | 13\nknots", false, "OUT_OF_TOLERANCE"));
      if (i != 6) {
        out.add(ans("base", k, "kinematics", i == 7 ? null : LONG, i == 7 ? null : false,
            i == 7 ? "CALL_FAILED" : "UNPARSEABLE"));
      }
      out.add(ans("gpt-4o", k, "kinematics", "12 knots", true, "CORRECT"));
      String b = "b" + i;
      out.add(ans("student", b, "behaviour", "moored", true, "CORRECT"));
      if (i != 6) {
        out.add(ans("base", b, "behaviour", "underway", false, "WRONG_LABEL"));
        out.add(ans("gpt-4o", b, "behaviour", i == 7 ? null : "moored", i == 7 ? null : true, "CORRECT"));
      }
    }
    out.add(ans("student", "r0", "route", "north", null, "NEEDS_LLM_JUDGE"));
    out.add(ans("base", "r0", "route", "", null, "EMPTY_ANSWER"));
    out.add(ans("gpt-4o", "r0", "route", "north-east", true, "LLM_JUDGE"));
    return out;
  }

  static EvalAnswer ans(String model, String qa, String cat, String answer, Boolean correct, String reason) {
    return new EvalAnswer(model, qa, cat, cat.equals("route") ? null : "fact_" + cat,
        "What about " + qa + "?", "ref of " + qa, answer, correct, reason);
  }

  /** The {@code n} qa_ids of {@code ids} with the lowest SHA-256. */
  static List<String> lowest(List<String> ids, int n) {
    return ids.stream().sorted(Comparator.comparing(Sha256::hex)).limit(n).toList();
  }

  @Test
  void tenItemsSameForEveryModelSpreadOverCategories() {
    List<EvalExample> ex = EvalExamples.select(answers(), MODELS, 10);
    assertEquals(10, ex.size());
    for (EvalExample e : ex) {
      assertEquals(MODELS, List.copyOf(e.answers().keySet()), e.qaId() + ": one answer per model, in order");
    }
    // round-robin over identity < kinematics < behaviour < route: K B R, K B, K B, K B, K
    List<String> ids = ex.stream().map(EvalExample::qaId).toList();
    List<String> expected = new ArrayList<>(lowest(List.of("k0", "k1", "k2", "k3", "k4", "k5"), 5));
    expected.addAll(lowest(List.of("b0", "b1", "b2", "b3", "b4", "b5"), 4));
    expected.add("r0");
    assertEquals(expected, ids);
    assertFalse(ids.contains("k6") || ids.contains("k7") || ids.contains("b6") || ids.contains("b7"),
        "only items every model answered: " + ids);
    EvalExample k = ex.get(0);
    assertEquals("kinematics", k.category());
    assertEquals("fact_kinematics", k.factKey());
    assertEquals("What about " + k.qaId() + "?", k.question());
    assertEquals("ref of " + k.qaId(), k.reference());
    assertEquals(new EvalExample.ModelAnswer(LONG, false, "UNPARSEABLE"), k.answers().get("base"));
  }

  @Test
  void independentOfRowOrder() {
    List<EvalAnswer> shuffled = new ArrayList<>(answers());
    Collections.shuffle(shuffled, new Random(7));
    assertEquals(EvalExamples.select(answers(), MODELS, 10), EvalExamples.select(shuffled, MODELS, 10));
  }

  @Test
  void fewerWhenFewerAndEveryCategoryFirst() {
    List<EvalExample> three = EvalExamples.select(answers(), MODELS, 3);
    assertEquals(List.of("kinematics", "behaviour", "route"), three.stream().map(EvalExample::category).toList());
    assertEquals(0, EvalExamples.select(answers(), MODELS, 0).size());
    // only 13 items answered by every model: 20 asked, 13 given
    assertEquals(13, EvalExamples.select(answers(), MODELS, 20).size());
    // a model that answered nothing leaves no example
    assertEquals(List.of(), EvalExamples.select(answers(), List.of("student", "absent"), 10));
    // only the student: b6 and k7/b7 (failed for others) now count
    List<String> studentOnly = EvalExamples.select(answers(), List.of("student"), 20).stream()
        .map(EvalExample::qaId).toList();
    assertEquals(17, studentOnly.size());
    assertTrue(studentOnly.containsAll(List.of("k6", "k7", "b6", "b7")), studentOnly.toString());
  }

  @Test
  void rejectsBadInput() {
    List<EvalAnswer> dup = new ArrayList<>(answers());
    dup.add(ans("student", "k0", "kinematics", "again", true, "CORRECT"));
    assertThrows(IllegalArgumentException.class, () -> EvalExamples.select(dup, MODELS, 10));
    assertThrows(IllegalArgumentException.class, () -> EvalExamples.select(answers(), MODELS, -1));
    assertThrows(IllegalArgumentException.class, () -> EvalExamples.select(answers(), List.of(), 10));
    assertThrows(IllegalArgumentException.class, () -> EvalExamples.select(answers(), List.of("base", "base"), 10));
  }

  @Test
  void questionIsTheLastQuestionLineOfThePrompt() {
    String prompt = "Vessel 123\n| t | lat | lon |\n| 0 | 1.0 | 2.0 |\nQuestion: What was the mean SOG?\nIn knots.";
    assertEquals("What was the mean SOG?\nIn knots.", EvalExamples.question(prompt));
    assertEquals("Why?", EvalExamples.question("Question: Why?"));
    assertEquals("second", EvalExamples.question("Question: first\nQuestion: second"));
    assertNull(EvalExamples.question("| a | b |\nno question here"));
    assertNull(EvalExamples.question(null));
  }

  @Test
  void reportSectionAndJson(@TempDir Path dir) throws Exception {
    CostModel costs = EvalFixtures.costs();
    List<SummaryRow> rows = EvalSummary.summarize(EvalFixtures.items(), costs);
    List<EvalExample> ex = EvalExamples.select(answers(), MODELS, 10);
    EvalReport.write(rows, costs, ex, dir);
    String md = Files.readString(dir.resolve(EvalReport.REPORT_MD));
    int acc = md.indexOf("## Accuracy per category");
    int sec = md.indexOf("## Example answers");
    int cost = md.indexOf("## Cost per 1,000 queries");
    assertTrue(acc >= 0 && acc < sec && sec < cost, "section between accuracy and cost: " + acc + " " + sec + " " + cost);
    String section = md.substring(sec, cost);
    assertEquals(10, section.split("\n### ", -1).length - 1, section);
    for (EvalExample e : ex) {
      int at = section.indexOf("qa_id `" + e.qaId() + "`");
      assertTrue(at >= 0, e.qaId());
      String block = section.substring(at, section.indexOf("\n### ", at) < 0 ? section.length()
          : section.indexOf("\n### ", at));
      assertTrue(block.contains("**Question:** What about " + e.qaId() + "?"), block);
      assertTrue(block.contains("**Reference answer:** ref of " + e.qaId()), block);
      for (String m : MODELS) {
        assertEquals(1, block.lines().filter(l -> l.startsWith("| " + m + " | ")).count(), m + " in " + block);
      }
    }
    String cut = "x".repeat(EvalReport.ANSWER_CHARS - 1) + "…";
    // pipes escaped, newline flattened, long answer cut, correct and reason shown
    assertTrue(section.contains("| student | 12.5 \\| 13 knots | no | OUT_OF_TOLERANCE |"), section);
    assertTrue(section.contains("| base | " + cut + " | no | UNPARSEABLE |"), section);
    assertFalse(section.contains("tail-that-is-cut"), "cut in report.md");
    assertTrue(section.contains("| gpt-4o | 12 knots | yes | CORRECT |"), section);
    assertTrue(section.contains("### 10. route: free text"), section);
    assertTrue(section.contains("| student | north | - | NEEDS_LLM_JUDGE |"), section);
    assertTrue(section.contains("| base | (empty) | - | EMPTY_ANSWER |"), section);
    // every table row of the section has exactly 4 cells (no unescaped '|')
    for (String l : section.lines().filter(l -> l.startsWith("| ")).toList()) {
      assertEquals(5, l.replace("\\|", "").chars().filter(c -> c == '|').count(), l);
    }

    // examples.json: the same examples, full answers, snake_case
    assertEquals(ex, EvalReport.readExamples(dir.resolve(EvalReport.EXAMPLES_JSON)));
    JsonNode json = new ObjectMapper().readTree(dir.resolve(EvalReport.EXAMPLES_JSON).toFile());
    assertEquals(10, json.size());
    JsonNode first = json.get(0);
    assertEquals(ex.get(0).qaId(), first.get("qa_id").asText());
    assertEquals("fact_kinematics", first.get("fact_key").asText());
    assertEquals(LONG, first.at("/answers/base/answer").asText());
    assertFalse(first.at("/answers/base/correct").asBoolean());
    assertEquals("UNPARSEABLE", first.at("/answers/base/reason").asText());
    for (JsonNode e : json) {
      List<String> names = new ArrayList<>();
      e.get("answers").fieldNames().forEachRemaining(names::add);
      assertEquals(MODELS, names, e.toString());
    }
    assertEquals(ex.stream().map(EvalExample::qaId).collect(Collectors.toSet()).size(), 10);
  }

  @Test
  void noExamples(@TempDir Path dir) throws Exception {
    CostModel costs = EvalFixtures.costs();
    EvalReport.write(EvalSummary.summarize(EvalFixtures.items(), costs), costs, dir);
    assertTrue(Files.readString(dir.resolve(EvalReport.REPORT_MD))
        .contains("## Example answers\n\nNo test item was answered by every called model.\n"));
    assertEquals("[ ]\n", Files.readString(dir.resolve(EvalReport.EXAMPLES_JSON)));
  }
}
