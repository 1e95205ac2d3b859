package io.aisdistill.common.eval;

import io.aisdistill.common.qa.WindowPrompt;
import io.aisdistill.common.text.Sha256;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Chooses the example items of the evaluation report: the same test items for every model, so
 * that their answers can be read side by side.
 *
 * <p>Selection ({@link #select}): only items that every listed model answered (a row with a
 * non-null answer for each model) are candidates. Candidates are grouped by category (categories
 * in {@link EvalSummary#compareCategories} order: the {@link io.aisdistill.common.qa.Category}
 * order, then others alphabetically) and ordered within a category by the lower-case hex SHA-256
 * of their qa_id (as the evaluate stage's per-category sample). Items are then taken round-robin
 * over the categories (the first of each category, then the second of each, ...) until
 * {@code count} are taken or the candidates run out, so every category appears when
 * {@code count} allows. The result is a pure function of the rows' contents (not of their
 * order).
 */
public final class EvalExamples {
  private EvalExamples() {}

  /** Example items in the report. */
  public static final int DEFAULT_COUNT = 10;

  private static final String QUESTION = "Question:";

  /**
   * The example items.
   *
   * @param answers rows of one evaluation, at most one per (model, qa_id); rows of models not in
   *     {@code models} are ignored
   * @param models the models every example must have an answer of (the called models), in the
   *     order of each example's {@link EvalExample#answers}
   * @param count how many items at most, >= 0
   * @return up to {@code count} examples in category order, then SHA-256 order within a category;
   *     each with exactly one answer per model of {@code models}; unmodifiable. Question, reference
   *     and fact key are those of the item's row of the first model.
   * @throws IllegalArgumentException when {@code count} is negative, {@code models} is empty or
   *     has duplicates, or a (model, qa_id) occurs twice
   * @throws NullPointerException when an argument or a row is null
   */
  public static List<EvalExample> select(Collection<EvalAnswer> answers, List<String> models, int count) {
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0: " + count);
    }
    if (models.isEmpty() || models.stream().distinct().count() != models.size()) {
      throw new IllegalArgumentException("models must be non-empty and distinct: " + models);
    }
    Map<String, Map<String, EvalAnswer>> byItem = new HashMap<>();
    for (EvalAnswer a : answers) {
      if (!models.contains(a.model())) {
        continue;
      }
      if (byItem.computeIfAbsent(a.qaId(), k -> new HashMap<>()).put(a.model(), a) != null) {
        throw new IllegalArgumentException("two rows for model " + a.model() + " and qa_id " + a.qaId());
      }
    }
    Map<String, List<String[]>> byCategory = new TreeMap<>(EvalSummary::compareCategories);
    for (Map.Entry<String, Map<String, EvalAnswer>> e : byItem.entrySet()) {
      Map<String, EvalAnswer> m = e.getValue();
      if (models.stream().allMatch(x -> m.containsKey(x) && m.get(x).answer() != null)) {
        String cat = m.get(models.get(0)).category();
        byCategory.computeIfAbsent(cat, k -> new ArrayList<>())
            .add(new String[] {Sha256.hex(e.getKey()), e.getKey()});
      }
    }
    Comparator<String[]> byHash = Comparator.<String[], String>comparing(x -> x[0]).thenComparing(x -> x[1]);
    byCategory.values().forEach(l -> l.sort(byHash));
    Map<String, List<String[]>> taken = new LinkedHashMap<>();
    int n = 0;
    for (int round = 0; n < count; round++) {
      boolean any = false;
      for (Map.Entry<String, List<String[]>> e : byCategory.entrySet()) {
        if (n < count && round < e.getValue().size()) {
          taken.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue().get(round));
          n++;
          any = true;
        }
      }
      if (!any) {
        break;
      }
    }
    List<EvalExample> out = new ArrayList<>();
    for (String cat : byCategory.keySet()) {
      for (String[] item : taken.getOrDefault(cat, List.of())) {
        Map<String, EvalAnswer> m = byItem.get(item[1]);
        EvalAnswer first = m.get(models.get(0));
        Map<String, EvalExample.ModelAnswer> as = new LinkedHashMap<>();
        for (String model : models) {
          EvalAnswer a = m.get(model);
          as.put(model, new EvalExample.ModelAnswer(a.answer(), a.correct(), a.reason()));
        }
        out.add(new EvalExample(item[1], cat, first.factKey(), first.question(), first.referenceAnswer(), as));
      }
    }
    return List.copyOf(out);
  }

  /**
   * The question of a student prompt ({@link WindowPrompt#studentPrompt}: the window context, then
   * a line starting "Question:"): the text after the last line that starts with "Question:", that
   * line's following lines included, stripped.
   *
   * @param userPrompt the user turn as sent to the models; may be null
   * @return the question, or null when {@code userPrompt} is null or has no such line
   */
  public static String question(String userPrompt) {
    if (userPrompt == null) {
      return null;
    }
    int i = userPrompt.lastIndexOf("\n" + QUESTION);
    int start = i >= 0 ? i + 1 : userPrompt.startsWith(QUESTION) ? 0 : -1;
    return start < 0 ? null : userPrompt.substring(start + QUESTION.length()).strip();
  }
}
