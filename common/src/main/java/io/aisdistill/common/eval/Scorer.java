package io.aisdistill.common.eval;

import io.aisdistill.common.judge.AnswerParser;
import io.aisdistill.common.judge.GroundedJudge;
import io.aisdistill.common.qa.Category;
import io.aisdistill.common.qa.QaPair;
import io.aisdistill.common.qa.WindowFacts;
import io.aisdistill.common.qa.WindowFacts.ClaimKind;
import io.aisdistill.common.qa.WindowFacts.Fact;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scores a model's answer against a reference QA item, per the item's fact: the value the answer
 * states is read by {@link AnswerParser} (units converted to the fact's unit: "22 km/h" is 11.88
 * knots, "1 h 5 min" is 65 minutes) and compared with {@link GroundedJudge#matches}, i.e. within
 * the fact's {@link WindowFacts.Tolerance} for numbers (SOG +-0.5 kn or 5 %, distance +-0.1 nm or
 * 5 %, durations +-1 min or 5 %, angles +-10 degrees on the circle, counts exact) and by
 * {@link WindowFacts#normalize}d label equality for categories (ship type group, behaviour, nav
 * status, compass direction, ...) and yes/no. No parsing rule or tolerance lives here.
 *
 * <p>Before parsing, the answer is cleaned of what small models add: {@code <think>...</think>}
 * blocks and a leading "Answer:" / "Final answer:" / "A:" label. Order of checks:
 * <ol>
 *   <li>null, blank or only a think block -> {@link ScoreReason#EMPTY_ANSWER}, incorrect;</li>
 *   <li>no fact key -> {@link ScoreReason#NEEDS_LLM_JUDGE}, correct null;</li>
 *   <li>fact key not registered -> {@link ScoreReason#UNKNOWN_FACT}, correct null;</li>
 *   <li>no reference value -> {@link ScoreReason#NO_REFERENCE}, correct null;</li>
 *   <li>first sentence is a refusal ("I cannot determine", "unable to", "not enough information",
 *       or just "N/A"; see {@link #isRefusal}) -> {@link ScoreReason#REFUSED}, incorrect (even when a later sentence has a
 *       number: "I can't tell from the 12 reports" must not read as 12 knots);</li>
 *   <li>no value read -> {@link ScoreReason#UNPARSEABLE}, incorrect;</li>
 *   <li>value matches -> {@link ScoreReason#CORRECT}; else {@link ScoreReason#OUT_OF_TOLERANCE}
 *       (numbers) or {@link ScoreReason#WRONG_LABEL} (labels, yes/no).</li>
 * </ol>
 * The first value stated wins ({@link AnswerParser}), so a number restated later, or restated in a
 * second unit ("12.4 knots (23 km/h)"), does not change the score. Known limit: negations are not
 * understood ("not moored but underway" reads as "moored").
 *
 * <p>Reference value, first available: the item's {@code claim} (the machine-readable claim in
 * the fact's unit, e.g. "12.4"; a label; "yes"/"no"), the raw fact value in the item's
 * {@code facts} map under its fact key, the value {@link AnswerParser} reads from the reference
 * answer text. Stateless and thread-safe.
 */
public final class Scorer {
  private Scorer() {}

  private static final Pattern THINK = Pattern.compile("(?is)<think>.*?(</think>|\\z)");
  private static final Pattern LABEL = Pattern.compile(
      "(?i)^\\s*(?:\\*\\*)?(?:final\\s+answer|answer|a)\\s*(?:\\*\\*)?\\s*:\\s*(?:\\*\\*)?");
  private static final Pattern FIRST_SENTENCE = Pattern.compile("(?s)^.*?(?:[.!?](?=\\s|$)|\\n|$)");
  private static final List<String> REFUSALS = List.of(
      "cannot determine", "can t determine", "can not determine", "cannot answer", "can t answer",
      "cannot tell", "can t tell", "cannot provide", "can t provide", "cannot be determined",
      "can t be determined", "unable to", "not able to", "not possible to determine",
      "impossible to determine", "i do not know", "i don t know", "not enough information",
      "insufficient information", "insufficient data", "not enough data", "does not contain enough",
      "doesn t contain enough");
  private static final List<String> WHOLE_REFUSALS = List.of("n a", "na", "unknown", "not available");

  /**
   * Scores {@code modelAnswer} against reference item {@code reference} (its category, factKey,
   * claim, facts and answer are read; its question is not).
   *
   * @param reference the reference QA item (e.g. a test-split row)
   * @param modelAnswer the model's answer text; null or blank scores as {@link ScoreReason#EMPTY_ANSWER}
   * @return the score, never null
   * @throws NullPointerException when {@code reference} is null
   */
  public static Score score(QaPair reference, String modelAnswer) {
    Objects.requireNonNull(reference, "reference");
    Object factValue = reference.facts() == null || reference.factKey() == null ? null
        : reference.facts().get(reference.factKey());
    return score(reference.category(), reference.factKey(), reference.claim(), factValue,
        reference.answer(), modelAnswer);
  }

  /**
   * Scores {@code modelAnswer} against a reference given column by column (as a Spark row holds
   * it).
   *
   * @param category the item's category (stored as its label in the score); may be null
   * @param factKey the {@link WindowFacts} key, null for free-text items
   * @param claim the machine-readable reference claim in the fact's unit ("12.4", "moored", "yes"),
   *     or null
   * @param factValue the raw reference fact value (a {@code Number} in the fact's unit, or a label),
   *     or null
   * @param referenceAnswer the reference answer text (fallback source of the reference value), or null
   * @param modelAnswer the model's answer text, or null
   * @return the score, never null
   */
  public static Score score(Category category, String factKey, String claim, Object factValue,
      String referenceAnswer, String modelAnswer) {
    String cat = category == null ? null : category.label();
    String answer = clean(modelAnswer);
    Fact fact = WindowFacts.get(factKey);
    String unit = fact == null ? null : fact.unit().label();
    WindowFacts.Tolerance tol = fact == null || fact.kind() != ClaimKind.NUMBER ? null : fact.tolerance();
    if (answer.isEmpty()) {
      return new Score(cat, factKey, unit, fact == null ? null : referenceValue(fact, claim, factValue,
          referenceAnswer), null, false, ScoreReason.EMPTY_ANSWER, tol);
    }
    if (factKey == null) {
      return new Score(cat, null, null, null, null, null, ScoreReason.NEEDS_LLM_JUDGE, null);
    }
    if (fact == null) {
      return new Score(cat, factKey, null, null, null, null, ScoreReason.UNKNOWN_FACT, null);
    }
    Object ref = referenceValue(fact, claim, factValue, referenceAnswer);
    if (ref == null) {
      return new Score(cat, factKey, unit, null, null, null, ScoreReason.NO_REFERENCE, tol);
    }
    if (isRefusal(answer)) {
      return new Score(cat, factKey, unit, ref, null, false, ScoreReason.REFUSED, tol);
    }
    Object got = AnswerParser.parse(fact, answer);
    if (got == null) {
      return new Score(cat, factKey, unit, ref, null, false, ScoreReason.UNPARSEABLE, tol);
    }
    boolean ok = GroundedJudge.matches(fact, ref, got);
    ScoreReason why = ok ? ScoreReason.CORRECT
        : fact.kind() == ClaimKind.NUMBER ? ScoreReason.OUT_OF_TOLERANCE : ScoreReason.WRONG_LABEL;
    return new Score(cat, factKey, unit, ref, got, ok, why, tol);
  }

  /**
   * True when the first sentence of {@code answer} declines to answer: it contains, as whole words
   * after {@link WindowFacts#normalize}, a phrase such as "cannot determine", "can't tell",
   * "unable to", "I don't know", "not enough information", "insufficient data"; or the whole answer
   * is "N/A", "unknown" or "not available". A hedge that still answers ("I cannot be certain, but
   * about 12 knots") is not a refusal. Null or blank: false.
   */
  public static boolean isRefusal(String answer) {
    String text = clean(answer);
    java.util.regex.Matcher m = FIRST_SENTENCE.matcher(text);
    String first = " " + WindowFacts.normalize(m.find() ? m.group() : text) + " ";
    if (WHOLE_REFUSALS.contains(WindowFacts.normalize(text))) {
      return true;
    }
    for (String r : REFUSALS) {
      if (first.contains(" " + r + " ")) {
        return true;
      }
    }
    return false;
  }

  /** The start of the final answer after a reasoning trace: a line beginning "Answer:" (case-insensitive). */
  private static final Pattern FINAL_ANSWER = Pattern.compile("(?im)^\\s*(?:final\\s+)?answer\\s*:");

  /** {@code answer} without think blocks and a leading answer label, stripped; "" for null. */
  static String clean(String answer) {
    if (answer == null) {
      return "";
    }
    String s = THINK.matcher(answer).replaceAll(" ").strip();
    // a reasoning trace before the answer ("Reasoning: ...\n\nAnswer: ..."): score the answer only
    Matcher last = FINAL_ANSWER.matcher(s);
    int at = -1;
    while (last.find()) {
      at = last.end();
    }
    if (at >= 0) {
      s = s.substring(at).strip();
    }
    return LABEL.matcher(s).replaceFirst("").strip();
  }

  /** The reference value of {@code fact}: claim, else raw fact value, else parsed reference answer; null when none. */
  private static Object referenceValue(Fact fact, String claim, Object factValue, String referenceAnswer) {
    if (claim != null && !claim.isBlank()) {
      Object v = fact.kind() == ClaimKind.NUMBER ? number(fact, claim) : label(fact, claim);
      if (v != null) {
        return v;
      }
    }
    if (factValue instanceof Number n && fact.kind() == ClaimKind.NUMBER) {
      return fact.unit() == WindowFacts.Unit.COUNT ? (Object) n.longValue() : (Object) n.doubleValue();
    }
    if (factValue instanceof String s && fact.kind() != ClaimKind.NUMBER) {
      Object v = label(fact, s);
      if (v != null) {
        return v;
      }
    }
    return AnswerParser.parse(fact, referenceAnswer);
  }

  private static Object number(Fact fact, String claim) {
    try {
      double d = Double.parseDouble(claim.strip());
      return fact.unit() == WindowFacts.Unit.COUNT ? (Object) Math.round(d) : (Object) d;
    } catch (NumberFormatException e) {
      return AnswerParser.parse(fact, claim);
    }
  }

  /** A claim label as the canonical value: itself when canonical, else read through the vocabulary. */
  private static Object label(Fact fact, String claim) {
    String n = WindowFacts.normalize(claim);
    for (String canonical : fact.vocabulary().values()) {
      if (WindowFacts.normalize(canonical).equals(n)) {
        return canonical;
      }
    }
    return AnswerParser.parse(fact, claim);
  }
}
