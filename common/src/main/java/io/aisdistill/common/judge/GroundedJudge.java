package io.aisdistill.common.judge;

import io.aisdistill.common.qa.QaPair;
import io.aisdistill.common.qa.WindowFacts;
import io.aisdistill.common.qa.WindowPrompt;
import io.aisdistill.common.qa.WindowFacts.ClaimKind;
import io.aisdistill.common.qa.WindowFacts.Fact;
import io.aisdistill.common.track.TrackWindow;
import java.util.ArrayList;
import java.util.List;

/**
 * The grounded judge: accepts a {@link QaPair} only when it is well-formed and the value its
 * ANSWER TEXT states (read by {@link AnswerParser}, never from {@code QaPair.claim}) matches the
 * fact recomputed from the window by {@link WindowFacts} within the fact's tolerance.
 *
 * <p>Checks, in order (each failure adds its {@link ReasonCode}):
 * <ol>
 *   <li>Question: non-blank, one line, at least {@value #MIN_QUESTION_CHARS} characters, ending
 *       with '?' ({@code QUESTION_FORMAT}); at most {@value #MAX_QUESTION_CHARS} characters
 *       ({@code QUESTION_TOO_LONG}).</li>
 *   <li>Answer: non-blank ({@code ANSWER_EMPTY}); at most {@value #MAX_ANSWER_CHARS} characters
 *       ({@code ANSWER_TOO_LONG}).</li>
 *   <li>Reasoning: non-blank ({@code REASONING_MISSING}); every number it cites is in the student
 *       prompt or derived from it ({@link TraceChecker}, {@code TRACE_UNSUPPORTED}).</li>
 *   <li>Grounding, when {@code factKey} is non-null: the key is registered ({@code UNKNOWN_FACT}),
 *       the fact is non-null for the window ({@code FACT_MISSING}), the answer states a value
 *       ({@code CLAIM_UNPARSEABLE}) and it matches ({@code CLAIM_MISMATCH}). A null
 *       {@code factKey} is a free-text pair: only the format checks apply and groundedOk is null.</li>
 * </ol>
 * Numbers match within {@link WindowFacts.Tolerance}; categories and yes/no match when the
 * canonical values are equal after {@link WindowFacts#normalize}. Stateless and thread-safe.
 */
public final class GroundedJudge {
  /** Shortest accepted question, in characters. */
  public static final int MIN_QUESTION_CHARS = 10;
  /** Longest accepted question, in characters. */
  public static final int MAX_QUESTION_CHARS = 300;
  /** Longest accepted answer, in characters. */
  public static final int MAX_ANSWER_CHARS = 400;

  /**
   * Judges {@code pair} against {@code window} (the window the pair is about).
   *
   * @throws NullPointerException when {@code pair} or {@code window} is null
   */
  public Verdict judge(QaPair pair, TrackWindow window) {
    java.util.Objects.requireNonNull(pair, "pair");
    java.util.Objects.requireNonNull(window, "window");
    List<ReasonCode> reasons = new ArrayList<>();
    String q = pair.question();
    if (q == null || q.isBlank() || q.strip().length() < MIN_QUESTION_CHARS || !q.strip().endsWith("?")
        || q.strip().contains("\n")) {
      reasons.add(ReasonCode.QUESTION_FORMAT);
    }
    if (q != null && q.length() > MAX_QUESTION_CHARS) {
      reasons.add(ReasonCode.QUESTION_TOO_LONG);
    }
    String a = pair.answer();
    boolean answerEmpty = a == null || a.isBlank();
    if (answerEmpty) {
      reasons.add(ReasonCode.ANSWER_EMPTY);
    } else if (a.length() > MAX_ANSWER_CHARS) {
      reasons.add(ReasonCode.ANSWER_TOO_LONG);
    }
    List<String> unsupported = List.of();
    if (pair.reasoning() == null || pair.reasoning().isBlank()) {
      reasons.add(ReasonCode.REASONING_MISSING);
    } else if (q != null) {
      unsupported = TraceChecker.check(pair.reasoning(), WindowPrompt.studentPrompt(window, q), window).unsupported();
      if (!unsupported.isEmpty()) {
        reasons.add(ReasonCode.TRACE_UNSUPPORTED);
      }
    }
    Boolean groundedOk = null;
    Object recomputed = null;
    Object extracted = null;
    if (pair.factKey() != null) {
      Fact fact = WindowFacts.get(pair.factKey());
      if (fact == null) {
        reasons.add(ReasonCode.UNKNOWN_FACT);
      } else {
        recomputed = fact.value(window);
        if (recomputed == null) {
          reasons.add(ReasonCode.FACT_MISSING);
        } else if (!answerEmpty) {
          extracted = AnswerParser.parse(fact, a);
          if (extracted == null) {
            reasons.add(ReasonCode.CLAIM_UNPARSEABLE);
          } else {
            groundedOk = matches(fact, recomputed, extracted);
            if (!groundedOk) {
              reasons.add(ReasonCode.CLAIM_MISMATCH);
            }
          }
        }
      }
    }
    return new Verdict(reasons.isEmpty(), List.copyOf(reasons), groundedOk, recomputed, extracted, unsupported);
  }

  /**
   * True when {@code claimed} matches {@code expected} for {@code fact}: numbers within
   * {@link WindowFacts.Tolerance#accepts} (in the fact's unit), categories and yes/no equal after
   * {@link WindowFacts#normalize}. Shared by the grounded judge and the evaluation scorer.
   *
   * @param fact the fact both values are about
   * @param expected the reference value: a {@code Number} for number facts, else a label
   * @param claimed the value read from an answer, same shapes as {@code expected}
   * @throws NullPointerException when an argument is null
   * @throws ClassCastException when a number fact gets a non-{@code Number} value
   */
  public static boolean matches(Fact fact, Object expected, Object claimed) {
    if (fact.kind() == ClaimKind.NUMBER) {
      return fact.tolerance().accepts(((Number) expected).doubleValue(), ((Number) claimed).doubleValue());
    }
    return WindowFacts.normalize(expected.toString()).equals(WindowFacts.normalize(claimed.toString()));
  }
}
