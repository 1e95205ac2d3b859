package io.aisdistill.common.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aisdistill.common.qa.GroundedTeacher;
import io.aisdistill.common.qa.QaPair;
import io.aisdistill.common.qa.TestWindows;
import io.aisdistill.common.track.TrackWindow;
import java.util.List;
import org.junit.jupiter.api.Test;

class GroundedJudgeTest {
  private final GroundedJudge judge = new GroundedJudge();
  private final TrackWindow cargo = TestWindows.cargoUnderway();
  private final List<QaPair> pairs = new GroundedTeacher().generate(cargo);

  private QaPair pair(String factKey) {
    return pairs.stream().filter(p -> factKey.equals(p.factKey())).findFirst().orElseThrow();
  }

  private static QaPair copy(QaPair p, String question, String answer, String reasoning, String factKey) {
    return new QaPair(p.qaId(), p.windowId(), p.mmsi(), p.category(), question, answer, reasoning,
        p.teacher(), p.promptVersion(), p.templateId(), p.claimKind(), p.claim(), p.unit(), p.facts(), factKey);
  }

  private static QaPair withAnswer(QaPair p, String answer) {
    return copy(p, p.question(), answer, p.reasoning(), p.factKey());
  }

  private static QaPair withQuestion(QaPair p, String question) {
    return copy(p, question, p.answer(), p.reasoning(), p.factKey());
  }

  private static QaPair withFact(QaPair p, String factKey, String reasoning) {
    return copy(p, p.question(), p.answer(), reasoning, factKey);
  }

  private void rejected(QaPair p, TrackWindow w, ReasonCode code) {
    Verdict v = judge.judge(p, w);
    assertFalse(v.accepted(), p.answer());
    assertTrue(v.reasons().contains(code), v.reasons() + " for " + p.answer());
  }

  @Test
  void wrongNumberBeyondTolerance() {
    QaPair sog = pair("sog_mean_kn"); // 14.63 knots
    Verdict v = judge.judge(withAnswer(sog, "About 16.0 knots."), cargo);
    assertFalse(v.accepted());
    assertEquals(List.of("CLAIM_MISMATCH"), v.reasonCodes());
    assertEquals(Boolean.FALSE, v.groundedOk());
    assertEquals(16.0, (Double) v.extracted(), 1e-9);
    assertEquals(14.63, (Double) v.recomputed(), 1e-9);
    assertTrue(judge.judge(withAnswer(sog, "Roughly 15 knots."), cargo).accepted()); // 0.37 kn off
    rejected(withAnswer(pair("distance_nm"), "It sailed 30 nautical miles."), cargo, ReasonCode.CLAIM_MISMATCH);
    rejected(withAnswer(pair("duration_min"), "2 hours."), cargo, ReasonCode.CLAIM_MISMATCH);
    rejected(withAnswer(pair("n_points"), "181 position reports."), cargo, ReasonCode.CLAIM_MISMATCH);
    rejected(withAnswer(pair("bearing_compass"), "South-west (227 degrees)."), cargo, ReasonCode.CLAIM_MISMATCH);
  }

  @Test
  void wrongCategoryAndYesNo() {
    rejected(withAnswer(pair("behaviour"), "The vessel was moored."), cargo, ReasonCode.CLAIM_MISMATCH);
    rejected(withAnswer(pair("flag_state"), "Panama."), cargo, ReasonCode.CLAIM_MISMATCH);
    rejected(withAnswer(pair("ship_type_group"), "It is a tanker."), cargo, ReasonCode.CLAIM_MISMATCH);
    rejected(withAnswer(pair("teleport"), "Yes, there is a jump."), cargo, ReasonCode.CLAIM_MISMATCH);
    assertTrue(judge.judge(withAnswer(pair("behaviour"), "It is under way, making good progress."), cargo).accepted());
    assertTrue(judge.judge(withAnswer(pair("flag_state"), "Liberia"), cargo).accepted());
  }

  @Test
  void formatChecks() {
    QaPair p = pair("sog_mean_kn");
    Verdict empty = judge.judge(withAnswer(p, "  "), cargo);
    assertEquals(List.of("ANSWER_EMPTY"), empty.reasonCodes());
    assertNull(empty.groundedOk());
    rejected(withAnswer(p, "14.6 knots. " + "x".repeat(GroundedJudge.MAX_ANSWER_CHARS)), cargo,
        ReasonCode.ANSWER_TOO_LONG);
    rejected(withQuestion(p, "Mean speed over ground in this window."), cargo, ReasonCode.QUESTION_FORMAT);
    rejected(withQuestion(p, "Speed?"), cargo, ReasonCode.QUESTION_FORMAT);
    rejected(withQuestion(p, "Why " + "very ".repeat(70) + "fast?"), cargo, ReasonCode.QUESTION_TOO_LONG);
    rejected(withFact(p, "sog_mean_kn", ""), cargo, ReasonCode.REASONING_MISSING);
    rejected(withAnswer(p, "It was fast."), cargo, ReasonCode.CLAIM_UNPARSEABLE);
  }

  @Test
  void factChecks() {
    QaPair p = pair("sog_mean_kn");
    Verdict unknown = judge.judge(withFact(p, "sog_median_kn", p.reasoning()), cargo);
    assertEquals(List.of("UNKNOWN_FACT"), unknown.reasonCodes());
    // SOG question against a window without SOG
    Verdict missing = judge.judge(p, TestWindows.classBNoSog());
    assertEquals(List.of("FACT_MISSING"), missing.reasonCodes());
    assertNull(missing.groundedOk());
    // free text: no fact key -> only format checks, groundedOk null
    Verdict free = judge.judge(withFact(p, null, p.reasoning()), cargo);
    assertTrue(free.accepted());
    assertNull(free.groundedOk());
  }

  @Test
  void judgesTheAnswerTextNotTheClaimField() {
    QaPair p = pair("sog_mean_kn");
    QaPair lyingClaim = new QaPair(p.qaId(), p.windowId(), p.mmsi(), p.category(), p.question(),
        "About 9 knots.", p.reasoning(), p.teacher(), p.promptVersion(), p.templateId(), p.claimKind(),
        "14.6", p.unit(), p.facts(), p.factKey());
    rejected(lyingClaim, cargo, ReasonCode.CLAIM_MISMATCH);
  }
}
