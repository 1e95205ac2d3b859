package io.aisdistill.common.eval;

import io.aisdistill.common.qa.Category;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Aggregates scored calls ({@link EvalItem}) into {@link SummaryRow}s per (model, category) plus
 * one row per model over all its items (category {@value #ALL}).
 *
 * <p>Statistics:
 * <ul>
 *   <li>accuracy = correct / scored (items without a score, e.g. free text left to an LLM judge,
 *       count in n but not in the accuracy);</li>
 *   <li>95 % confidence interval: the Wilson score interval (E. B. Wilson, "Probable inference,
 *       the law of succession, and statistical inference", JASA 22(158):209-212, 1927; recommended
 *       over the Wald interval by Agresti and Coull, The American Statistician 52(2):119-126, 1998,
 *       and Brown, Cai and DasGupta, Statistical Science 16(2):101-133, 2001), see {@link #wilson};</li>
 *   <li>latency p50 / p95: {@link #percentile} (linear interpolation between order statistics,
 *       Hyndman and Fan's definition 7, the default of R, NumPy and Spark SQL's {@code percentile});</li>
 *   <li>mean tokens in / out: arithmetic means over all calls;</li>
 *   <li>USD per 1,000 queries: {@link CostModel#usdPer1k} at the mean token counts (exact for
 *       per-token prices, as cost is linear in tokens).</li>
 * </ul>
 * Row order: models in {@link CostModel#models()} order; within a model the categories in
 * {@link Category} order, then other labels alphabetically, then "all". Deterministic.
 */
public final class EvalSummary {
  private EvalSummary() {}

  /** Category label of a model's row over all its items. */
  public static final String ALL = "all";

  /** Two-sided 95 % standard-normal quantile, z = Phi^-1(0.975). */
  public static final double Z95 = 1.959963984540054;

  /**
   * The summary rows of {@code items} priced by {@code costs}.
   *
   * @param items scored calls, any order; empty gives an empty list
   * @param costs the models and their pricing; every item's model must be in it
   * @return rows as described in the class Javadoc, unmodifiable
   * @throws IllegalArgumentException when an item's model is not in {@code costs}
   * @throws NullPointerException when an argument is null
   */
  public static List<SummaryRow> summarize(Collection<EvalItem> items, CostModel costs) {
    Objects.requireNonNull(items, "items");
    Objects.requireNonNull(costs, "costs");
    Map<String, Map<String, List<EvalItem>>> byModel = new LinkedHashMap<>();
    for (EvaluatedModel m : costs.models()) {
      byModel.put(m.name(), new TreeMap<>(EvalSummary::compareCategories));
    }
    for (EvalItem it : items) {
      Map<String, List<EvalItem>> cats = byModel.get(it.model());
      if (cats == null) {
        throw new IllegalArgumentException("model not in the cost model: " + it.model());
      }
      cats.computeIfAbsent(it.category(), k -> new ArrayList<>()).add(it);
    }
    List<SummaryRow> rows = new ArrayList<>();
    byModel.forEach((model, cats) -> {
      if (cats.isEmpty()) {
        return;
      }
      List<EvalItem> all = new ArrayList<>();
      cats.forEach((cat, list) -> {
        rows.add(row(costs.model(model), cat, list, costs));
        all.addAll(list);
      });
      rows.add(row(costs.model(model), ALL, all, costs));
    });
    return List.copyOf(rows);
  }

  /** Category labels: {@link Category} order first, then others alphabetically, {@value #ALL} last. */
  static int compareCategories(String a, String b) {
    return Comparator.<String>comparingInt(EvalSummary::categoryRank).thenComparing(Comparator.naturalOrder())
        .compare(a, b);
  }

  private static int categoryRank(String label) {
    if (ALL.equals(label)) {
      return Integer.MAX_VALUE;
    }
    for (Category c : Category.values()) {
      if (c.label().equals(label)) {
        return c.ordinal();
      }
    }
    return Category.values().length;
  }

  private static SummaryRow row(EvaluatedModel spec, String category, List<EvalItem> items, CostModel costs) {
    long scored = items.stream().filter(i -> i.correct() != null).count();
    long correct = items.stream().filter(i -> Boolean.TRUE.equals(i.correct())).count();
    double[] lat = items.stream().mapToDouble(EvalItem::latencyMs).sorted().toArray();
    double meanIn = items.stream().mapToLong(EvalItem::tokensIn).average().orElse(0);
    double meanOut = items.stream().mapToLong(EvalItem::tokensOut).average().orElse(0);
    double[] ci = scored == 0 ? null : wilson(correct, scored, Z95);
    return new SummaryRow(spec.name(), spec.role().label(), category, items.size(), scored, correct,
        scored == 0 ? null : (double) correct / scored, ci == null ? null : ci[0], ci == null ? null : ci[1],
        percentile(lat, 0.50), percentile(lat, 0.95), meanIn, meanOut,
        costs.usdPer1k(spec.name(), meanIn, meanOut),
        spec.pricing() == null ? null : spec.pricing().basis());
  }

  /**
   * The Wilson score interval for a binomial proportion:
   * <pre>
   *   p = k / n
   *   centre    = (p + z^2 / (2n)) / (1 + z^2 / n)
   *   halfWidth = z / (1 + z^2 / n) * sqrt(p (1 - p) / n + z^2 / (4 n^2))
   *   interval  = [centre - halfWidth, centre + halfWidth]
   * </pre>
   * (Wilson 1927; Brown, Cai and DasGupta 2001, eq. 4). Unlike the Wald interval it stays inside
   * [0, 1] and is not degenerate at k = 0 or k = n: for k = n = 10, z = 1.96 it is [0.722, 1].
   *
   * @param successes k, {@code 0 <= k <= n}
   * @param n trials, > 0
   * @param z standard-normal quantile (1.959963984540054 for 95 %), > 0
   * @return {low, high}, clamped to [0, 1]
   * @throws IllegalArgumentException when {@code n <= 0}, k outside [0, n] or {@code z <= 0}
   */
  public static double[] wilson(long successes, long n, double z) {
    if (n <= 0 || successes < 0 || successes > n || !(z > 0)) {
      throw new IllegalArgumentException("need 0 <= k <= n, n > 0, z > 0: k=" + successes + " n=" + n + " z=" + z);
    }
    double p = (double) successes / n;
    double z2 = z * z;
    double denom = 1 + z2 / n;
    double centre = (p + z2 / (2.0 * n)) / denom;
    double half = z / denom * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n));
    return new double[] {Math.max(0.0, centre - half), Math.min(1.0, centre + half)};
  }

  /**
   * The {@code q}-quantile of ascending {@code sorted} values by linear interpolation between
   * order statistics (Hyndman and Fan 1996, definition 7): h = (n - 1) q, result = x[floor h] +
   * (h - floor h) (x[floor h + 1] - x[floor h]) with 0-based x. p50 of {1, 2, 3, 4} is 2.5; p95
   * of 1..100 is 95.05.
   *
   * @param sorted values in ascending order (not checked beyond being non-null)
   * @param q quantile in [0, 1]
   * @return the quantile; 0 for an empty array
   * @throws IllegalArgumentException when q is outside [0, 1]
   */
  public static double percentile(double[] sorted, double q) {
    if (!(q >= 0 && q <= 1)) {
      throw new IllegalArgumentException("q outside [0, 1]: " + q);
    }
    if (sorted.length == 0) {
      return 0.0;
    }
    double h = (sorted.length - 1) * q;
    int lo = (int) Math.floor(h);
    int hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
  }

  /** {@link #percentile} of unsorted values (copied, then sorted). */
  public static double percentileOf(double[] values, double q) {
    double[] s = values.clone();
    Arrays.sort(s);
    return percentile(s, q);
  }
}
