package io.aisdistill.common.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aisdistill.common.qa.Category;
import io.aisdistill.common.qa.GroundedTeacher;
import io.aisdistill.common.qa.QaPair;
import io.aisdistill.common.qa.TestWindows;
import io.aisdistill.common.qa.WindowFacts;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Scoring hand-written (small-model style) answers against reference items. */
class ScorerTest {

  /** A reference item for {@code factKey} with machine claim {@code claim}. */
  private static QaPair ref(String factKey, String claim) {
    WindowFacts.Fact f = WindowFacts.get(factKey);
    return new QaPair("q1", "w1", 219000001L, f.category(), "What is it?", "ref " + claim, "because",
        "grounded", "v1", "t1", f.kind().label(), claim, f.unit().label(), Map.of(), factKey);
  }

  private static Score s(String factKey, String claim, String answer) {
    return Scorer.score(ref(factKey, claim), answer);
  }

  private static void correct(String factKey, String claim, String answer) {
    Score sc = s(factKey, claim, answer);
    assertEquals(ScoreReason.CORRECT, sc.reason(), answer + " -> " + sc);
    assertEquals(Boolean.TRUE, sc.correct(), answer);
  }

  private static Score wrong(String factKey, String claim, String answer, ScoreReason why) {
    Score sc = s(factKey, claim, answer);
    assertEquals(why, sc.reason(), answer + " -> " + sc);
    assertEquals(Boolean.FALSE, sc.correct(), answer);
    return sc;
  }

  @Test
  void speedsWithUnitsRoundingAndParaphrase() {
    correct("sog_mean_kn", "12.4", "12 kn");
    correct("sog_mean_kn", "12.4", "about 12.4 knots");
    correct("sog_mean_kn", "12.4", "The vessel's mean speed over ground was approximately 12.4 kts.");
    correct("sog_mean_kn", "12.0", "22 km/h");
    correct("sog_mean_kn", "12.4", "12.4");
    correct("sog_mean_kn", "12.4", "Answer: 12.4 knots");
    correct("sog_mean_kn", "12.4", "**12.4 knots**");
    Score sc = s("sog_mean_kn", "12.0", "22 km/h");
    assertEquals(22 / 1.852, (Double) sc.extracted(), 1e-9);
    assertEquals(12.0, (Double) sc.reference(), 1e-12);
    assertEquals(WindowFacts.get("sog_mean_kn").tolerance(), sc.tolerance());
    assertEquals(0.6, sc.allowedDeviation(), 1e-12); // max(0.5 kn, 5 % of 12.0)
    assertEquals("knots", sc.unit());
    assertEquals("kinematics", sc.category());

    Score far = wrong("sog_mean_kn", "12.4", "13.5 knots", ScoreReason.OUT_OF_TOLERANCE);
    assertEquals(1.1, far.absError(), 1e-9);
    assertEquals(0.62, far.allowedDeviation(), 1e-9);
    wrong("sog_mean_kn", "12.0", "30 km/h", ScoreReason.OUT_OF_TOLERANCE);
    // boundary: 0.5 kn is accepted, 0.7 kn on 10 kn (allowed 0.5) is not
    correct("sog_mean_kn", "10.0", "10.5 knots");
    wrong("sog_mean_kn", "10.0", "10.7 knots", ScoreReason.OUT_OF_TOLERANCE);
  }

  @Test
  void smallModelHabits() {
    // extra sentences around the value, the value restated, a second unit after the first
    correct("sog_mean_kn", "12.4", "Based on the AIS reports, the vessel was moving steadily. Its mean SOG was "
        + "12.4 knots. So the answer is 12.4 knots.");
    Score twice = s("sog_mean_kn", "12.4", "12.4 knots (about 23 km/h). I repeat: 12.4 knots.");
    assertEquals(12.4, (Double) twice.extracted(), 1e-12);
    // a number with a unit wins over an earlier bare number
    assertEquals(12.3, (Double) s("sog_mean_kn", "12.4", "Over 95 minutes it averaged 12.3 knots.").extracted(), 1e-12);
    // the first stated value wins, even when a later one would be right
    wrong("sog_mean_kn", "12.4", "15 knots, no wait, 12.4 knots", ScoreReason.OUT_OF_TOLERANCE);
    // think blocks are ignored
    Score think = s("sog_mean_kn", "12.4", "<think>Maybe 20 knots? No.</think>\nThe mean SOG is 12.5 knots.");
    assertEquals(ScoreReason.CORRECT, think.reason());
    assertEquals(12.5, (Double) think.extracted(), 1e-12);
    // a hedge that still answers is scored, not a refusal
    correct("sog_mean_kn", "12.4", "I cannot be fully certain, but about 12 knots.");
    wrong("sog_mean_kn", "12.4", "fast", ScoreReason.UNPARSEABLE);
  }

  @Test
  void refusalsAndEmpty() {
    wrong("sog_mean_kn", "12.4", "I cannot determine the speed from the 12 reports given.", ScoreReason.REFUSED);
    wrong("sog_mean_kn", "12.4", "I'm unable to answer that.", ScoreReason.REFUSED);
    wrong("distance_nm", "3.2", "There is not enough information to compute 3 legs.", ScoreReason.REFUSED);
    wrong("behaviour", "moored", "N/A", ScoreReason.REFUSED);
    wrong("ship_type_group", "cargo", "Unknown.", ScoreReason.REFUSED);
    for (String empty : new String[] {null, "", "   ", "<think>12 knots</think>", "Answer:"}) {
      Score e = wrong("sog_mean_kn", "12.4", empty, ScoreReason.EMPTY_ANSWER);
      assertEquals(12.4, (Double) e.reference(), 1e-12);
      assertNull(e.extracted());
    }
    assertTrue(Scorer.isRefusal("Sorry, I can't tell. It might be 12 knots."));
    assertFalse(Scorer.isRefusal("12 knots. I cannot tell more."));
    assertFalse(Scorer.isRefusal(null));
  }

  @Test
  void durationsDistancesAnglesCounts() {
    correct("duration_min", "65", "1 h 5 min");
    correct("duration_min", "65", "The window lasted 1 hour and 5 minutes.");
    correct("duration_min", "65", "3900 seconds");
    wrong("duration_min", "65", "1.5 hours", ScoreReason.OUT_OF_TOLERANCE); // 90 min, allowed 3.25
    wrong("duration_min", "65", "about an hour", ScoreReason.UNPARSEABLE);
    correct("distance_nm", "10.0", "10.4 nautical miles"); // allowed max(0.1, 5 % of 10) = 0.5
    wrong("distance_nm", "10.0", "10.6 nm", ScoreReason.OUT_OF_TOLERANCE);
    correct("distance_nm", "10.0", "It covered 19 km."); // 10.26 nm
    Score arc = s("bearing_deg", "355", "5 degrees");
    assertEquals(ScoreReason.CORRECT, arc.reason());
    assertEquals(10.0, arc.absError(), 1e-9);
    wrong("bearing_deg", "355", "340°", ScoreReason.OUT_OF_TOLERANCE);
    correct("stop_count", "0", "no, none");
    correct("stop_count", "0", "None.");
    Score two = wrong("stop_count", "0", "It stopped 2 times.", ScoreReason.OUT_OF_TOLERANCE);
    assertEquals(2L, two.extracted());
    assertEquals(0L, two.reference());
    correct("report_count", "1234", "There are 1,234 position reports.");
    correct("stationary_pct", "25", "28 percent"); // 5 points
    wrong("stationary_pct", "25", "31 %", ScoreReason.OUT_OF_TOLERANCE);
  }

  @ParameterizedTest(name = "{0}={1}: \"{2}\"")
  @CsvSource(delimiter = '|', textBlock = """
      behaviour        | moored                 | moored alongside
      behaviour        | moored                 | The vessel was berthed at the quay.
      behaviour        | at anchor              | Anchored.
      behaviour        | stationary, status unknown | Stationary, status unknown.
      speed_trend      | decelerating           | It is slowing down.
      largest_turn_side | port                  | To the left, by 40 degrees.
      status_consistent | no                    | No: moored at 8 knots.
      reach_by         | yes                    | 'Yes, it needs 23 minutes.'
      ship_type_group  | cargo                  | It is a container ship.
      ship_type_group  | Cargo                  | CARGO
      bearing_compass  | north-east             | It headed northeast.
      teleport         | yes                    | Yes.
      teleport         | yes                    | '**Yes**, there was a jump of 412 knots.'
      teleport         | no                     | 'no, none'
      teleport         | no                     | 'Answer: No'
      """)
  void labelsNormalizedAndMatched(String factKey, String claim, String answer) {
    correct(factKey, claim, answer);
  }

  @ParameterizedTest(name = "{0}={1}: \"{2}\" -> {3} ({4})")
  @CsvSource(delimiter = '|', textBlock = """
      behaviour        | moored    | It was underway at 12 knots.  | WRONG_LABEL | underway
      behaviour        | moored    | It was doing something.       | UNPARSEABLE |
      largest_turn_side | starboard | Port, 40 degrees.           | WRONG_LABEL | port
      behaviour        | at anchor | Stationary, status unknown.   | WRONG_LABEL | stationary, status unknown
      ship_type_group  | tanker    | A cargo vessel.               | WRONG_LABEL | cargo
      teleport         | yes       | No.                           | WRONG_LABEL | no
      teleport         | no        | There were no jumps.          | UNPARSEABLE |
      """)
  void wrongLabels(String factKey, String claim, String answer, ScoreReason why, String extracted) {
    Score sc = wrong(factKey, claim, answer, why);
    assertEquals(extracted, sc.extracted()); // yes/no must lead the answer: "There were no jumps." is not read
    assertNull(sc.tolerance());
    assertNull(sc.allowedDeviation());
    assertNull(sc.absError());
  }

  @Test
  void freeTextUnknownFactAndReferenceSources() {
    QaPair free = new QaPair("q", "w", 1L, Category.BEHAVIOUR, "Describe it?", "It left port.", "r", "t", "v",
        "t", "text", null, null, Map.of(), null);
    Score judge = Scorer.score(free, "The ship departed the harbour heading west.");
    assertEquals(ScoreReason.NEEDS_LLM_JUDGE, judge.reason());
    assertNull(judge.correct());
    assertEquals("behaviour", judge.category());
    assertEquals(ScoreReason.EMPTY_ANSWER, Scorer.score(free, " ").reason());
    assertEquals(Boolean.FALSE, Scorer.score(free, " ").correct());

    Score unknown = Scorer.score(Category.ROUTE, "no_such_fact", "3", null, null, "3 nm");
    assertEquals(ScoreReason.UNKNOWN_FACT, unknown.reason());
    assertNull(unknown.correct());

    Score none = Scorer.score(Category.KINEMATICS, "sog_mean_kn", null, null, "no idea", "12 knots");
    assertEquals(ScoreReason.NO_REFERENCE, none.reason());
    assertNull(none.correct());

    // claim wins over the raw fact value; raw fact value over the reference text
    assertEquals(12.4, (Double) Scorer.score(Category.KINEMATICS, "sog_mean_kn", "12.4", 99.0, "1 knot", "x").reference(), 1e-12);
    assertEquals(12.44, (Double) Scorer.score(Category.KINEMATICS, "sog_mean_kn", null, 12.44, "1 knot", "x").reference(), 1e-12);
    assertEquals(10.0, (Double) Scorer.score(Category.KINEMATICS, "sog_mean_kn", null, null, "18.52 km/h", "x").reference(), 1e-9);
    assertEquals(3L, Scorer.score(Category.BEHAVIOUR, "stop_count", "3", null, null, "3").reference());
  }

  @Test
  void everyGroundedReferenceAnswerScoresCorrectAgainstItself() {
    for (var window : TestWindows.all()) {
      var pairs = new GroundedTeacher().generate(window);
      assertTrue(pairs.size() > 5, "pairs: " + pairs.size());
      for (QaPair p : pairs) {
        Score sc = Scorer.score(p, p.answer());
        assertEquals(ScoreReason.CORRECT, sc.reason(), p.templateId() + ": " + p.answer() + " -> " + sc);
        assertEquals(p.category().label(), sc.category());
      }
    }
  }

  @Test
  void timesOfDay() {
    correct("max_gap_start", "08:12:30", "08:12:30 UTC");
    correct("max_gap_start", "08:12:30", "At 08:13:30."); // 60 s
    correct("first_stop_start", "23:59:30", "00:00:15 UTC"); // across midnight
    Score late = wrong("max_gap_start", "08:12:30", "08:13:31 UTC", ScoreReason.OUT_OF_TOLERANCE);
    assertEquals(61.0, late.absError(), 1e-9);
    assertEquals(60.0, late.allowedDeviation(), 1e-9);
    assertEquals("time", late.unit());
    assertEquals(8 * 3600 + 12 * 60 + 30.0, (Double) late.reference(), 1e-9);
    wrong("max_gap_start", "08:12:30", "after 21 minutes", ScoreReason.UNPARSEABLE);
  }

  @Test
  void onlyTheTextAfterTheLastAnswerLineIsScored() {
    String trace = "Reasoning: SOG values: 14.6 + 14.8 + 14.4 = 43.8 kn; 43.8 / 3 = 14.60 kn.\n\n";
    correct("sog_mean_kn", "14.6", trace + "Answer: 14.6 knots.");
    Score sc = s("sog_mean_kn", "14.6", trace + "Answer: 14.6 knots.");
    assertEquals(14.6, (Double) sc.extracted(), 1e-12); // the trace's first speed is 43.8 kn
    wrong("sog_mean_kn", "14.6", trace + "Answer: 43.8 knots.", ScoreReason.OUT_OF_TOLERANCE);
    // without an answer line the whole text is the answer: the trace's first speed is read
    assertEquals(43.8, (Double) s("sog_mean_kn", "14.6", trace).extracted(), 1e-12);
    // the last answer line wins; a think block before it is ignored
    correct("sog_mean_kn", "14.6", "<think>Answer: 20 knots?</think>Reasoning: ...\nAnswer: 9 knots\nFinal answer: 14.6 knots");
    wrong("sog_mean_kn", "14.6", trace + "Answer:", ScoreReason.EMPTY_ANSWER);
    // "answer:" inside a sentence is not an answer line
    correct("sog_mean_kn", "14.6", "14.6 knots is my answer: the mean of the rows.");
  }

  @Test
  void everyExportedAssistantTurnScoresCorrect() {
    // the training target with reasoning: "Reasoning: <trace>\n\nAnswer: <answer>" (ExportJob)
    for (var window : TestWindows.all()) {
      for (QaPair p : new GroundedTeacher().generate(window)) {
        String turn = "Reasoning: " + p.reasoning() + "\n\nAnswer: " + p.answer();
        Score sc = Scorer.score(p, turn);
        assertEquals(ScoreReason.CORRECT, sc.reason(), p.templateId() + ": " + turn + " -> " + sc);
      }
    }
  }
}
