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
    QaPair sog = pair("sog_mean_kn"); // 14.59 knots: the mean of the 20 rows' SOG
    Verdict v = judge.judge(withAnswer(sog, "About 16.0 knots."), cargo);
    assertFalse(v.accepted());
    assertEquals(List.of("CLAIM_MISMATCH"), v.reasonCodes());
    assertEquals(Boolean.FALSE, v.groundedOk());
    assertEquals(16.0, (Double) v.extracted(), 1e-9);
    assertEquals(14.59, (Double) v.recomputed(), 1e-9);
    assertTrue(judge.judge(withAnswer(sog, "Roughly 15 knots."), cargo).accepted()); // 0.41 kn off, 0.73 allowed
    rejected(withAnswer(sog, "15.4 knots."), cargo, ReasonCode.CLAIM_MISMATCH); // the maximum, not the mean
    rejected(withAnswer(pair("distance_nm"), "It sailed 30 nautical miles."), cargo, ReasonCode.CLAIM_MISMATCH);
    rejected(withAnswer(pair("duration_min"), "2 hours."), cargo, ReasonCode.CLAIM_MISMATCH);
    rejected(withAnswer(pair("report_count"), "21 position reports."), cargo, ReasonCode.CLAIM_MISMATCH);
    assertTrue(judge.judge(withAnswer(pair("report_count"), "20 reports."), cargo).accepted());
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
    // SOG question against a window without SOG: no such fact, and the trace (the cargo ship's SOG
    // values) cites numbers that window's prompt does not hold
    Verdict missing = judge.judge(p, TestWindows.classBNoSog());
    assertEquals(List.of("TRACE_UNSUPPORTED", "FACT_MISSING"), missing.reasonCodes());
    assertNull(missing.groundedOk());
    assertFalse(missing.traceUnsupported().isEmpty());
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

  @Test
  void timesOfDayWithinAMinute() {
    QaPair t = pair("sog_max_time"); // 08:35:00
    Verdict ok = judge.judge(withAnswer(t, "At 08:35:40 UTC."), cargo);
    assertTrue(ok.accepted(), ok.toString());
    assertEquals(8 * 3600.0 + 35 * 60, (Double) ok.recomputed(), 0.0);
    assertEquals(8 * 3600.0 + 35 * 60 + 40, (Double) ok.extracted(), 0.0);
    rejected(withAnswer(t, "At 08:36:01 UTC."), cargo, ReasonCode.CLAIM_MISMATCH);
    rejected(withAnswer(t, "At 08:30 UTC."), cargo, ReasonCode.CLAIM_MISMATCH);
    rejected(withAnswer(t, "At the highest speed."), cargo, ReasonCode.CLAIM_UNPARSEABLE);
  }

  @Test
  void tracesMustDeriveFromWhatTheStudentSees() {
    QaPair p = pair("distance_nm");
    assertEquals(List.of(), judge.judge(p, cargo).traceUnsupported());
    // an invented number in an otherwise correct derivation
    Verdict invented = judge.judge(withFact(p, "distance_nm", p.reasoning() + " The ship also logged 31.7 nm."), cargo);
    assertEquals(List.of("TRACE_UNSUPPORTED"), invented.reasonCodes());
    assertEquals(List.of("31.7"), invented.traceUnsupported());
    assertEquals(Boolean.TRUE, invented.groundedOk()); // the answer itself is right
    // a trace that quotes computed facts instead of rows: 23.1 is the answer, not derived from the rows
    Verdict quoted = judge.judge(withFact(p, "distance_nm", "The computed distance_nm is 23.1 nm."), cargo);
    assertTrue(quoted.reasonCodes().contains("TRACE_UNSUPPORTED"), quoted.toString());
    // a wrong sum of the right legs
    String wrongSum = p.reasoning().replaceAll("= [0-9.]+ nm\\.$", "= 25.000 nm.");
    assertTrue(!wrongSum.equals(p.reasoning()), wrongSum);
    assertEquals(List.of("25.000"), judge.judge(withFact(p, "distance_nm", wrongSum), cargo).traceUnsupported());
    // every trace of the teacher passes on its own window, and fails on another vessel's rows
    for (QaPair q : pairs) {
      assertEquals(List.of(), judge.judge(q, cargo).traceUnsupported(), q.templateId());
    }
    assertFalse(judge.judge(pair("implied_speed_kn"), TestWindows.teleportTug()).traceUnsupported().isEmpty());
  }
}
