package io.aisdistill.common.eval;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The models under evaluation, their pricing, and the assumptions stated in the report; makes the
 * paper's comparison explicit (arXiv 2509.13047: the student reaches 75 % at 1/261 of GPT-4o's
 * inference cost): for every teacher and student,
 * <pre>
 *   costRatio = teacher USD per 1,000 queries / student USD per 1,000 queries
 * </pre>
 * on the "all" rows of the summary (so 261 means the student costs 1/261 of the teacher).
 *
 * <p>USD per 1,000 queries = 1000 x {@link Pricing#usdPerQuery}(mean tokens in, mean tokens out):
 * per-token prices, 1000 x (in x priceIn + out x priceOut) / 10^6; self-hosted, 1000 x
 * gpuUsdPerHour / (3600 x queriesPerSecond).
 *
 * @param models the models, in report order; names unique
 * @param notes free-text assumptions for the report (price sources and dates, hardware, ...)
 */
public record CostModel(List<EvaluatedModel> models, List<String> notes) {

  /**
   * Validates and copies the lists.
   *
   * @throws IllegalArgumentException when two models share a name
   * @throws NullPointerException when a list or an element is null
   */
  public CostModel {
    models = List.copyOf(models);
    notes = List.copyOf(notes);
    Set<String> seen = new HashSet<>();
    for (EvaluatedModel m : models) {
      if (!seen.add(m.name())) {
        throw new IllegalArgumentException("duplicate model name: " + m.name());
      }
    }
  }

  /**
   * The paper's comparison of one teacher with one student.
   *
   * @param teacher teacher model name
   * @param student student model name
   * @param teacherAccuracy teacher accuracy over all scored items, [0, 1]; null when none scored
   * @param studentAccuracy student accuracy over all scored items; null when none scored
   * @param teacherUsdPer1k teacher USD per 1,000 queries; null when unpriced
   * @param studentUsdPer1k student USD per 1,000 queries; null when unpriced
   * @param costRatio teacherUsdPer1k / studentUsdPer1k; null when either is null or the student's is 0
   */
  public record Comparison(String teacher, String student, Double teacherAccuracy, Double studentAccuracy,
      Double teacherUsdPer1k, Double studentUsdPer1k, Double costRatio) {}

  /**
   * The model named {@code name}.
   *
   * @throws IllegalArgumentException when there is none
   */
  public EvaluatedModel model(String name) {
    for (EvaluatedModel m : models) {
      if (m.name().equals(name)) {
        return m;
      }
    }
    throw new IllegalArgumentException("unknown model: " + name);
  }

  /**
   * USD per 1,000 queries of {@code model} at the given mean token counts (see the class Javadoc);
   * null when the model is unpriced.
   *
   * @throws IllegalArgumentException when the model is unknown
   */
  public Double usdPer1k(String model, double meanTokensIn, double meanTokensOut) {
    Pricing p = model(model).pricing();
    return p == null ? null : 1000.0 * p.usdPerQuery(meanTokensIn, meanTokensOut);
  }

  /**
   * teacherUsd / studentUsd; null when either is null or studentUsd is not > 0.
   */
  public static Double costRatio(Double teacherUsd, Double studentUsd) {
    return teacherUsd == null || studentUsd == null || !(studentUsd > 0) ? null : teacherUsd / studentUsd;
  }

  /**
   * Every teacher against every student, on the {@link EvalSummary#ALL} rows of {@code rows}, in
   * {@link #models} order (teachers outer). Pairs missing either "all" row are left out.
   */
  public List<Comparison> compare(List<SummaryRow> rows) {
    Objects.requireNonNull(rows, "rows");
    List<Comparison> out = new ArrayList<>();
    for (EvaluatedModel t : models) {
      if (t.role() != EvaluatedModel.Role.TEACHER) {
        continue;
      }
      SummaryRow tr = allRow(rows, t.name());
      for (EvaluatedModel s : models) {
        SummaryRow sr = allRow(rows, s.name());
        if (s.role() != EvaluatedModel.Role.STUDENT || tr == null || sr == null) {
          continue;
        }
        out.add(new Comparison(t.name(), s.name(), tr.accuracy(), sr.accuracy(), tr.usdPer1kQueries(),
            sr.usdPer1kQueries(), costRatio(tr.usdPer1kQueries(), sr.usdPer1kQueries())));
      }
    }
    return List.copyOf(out);
  }

  /** The {@link EvalSummary#ALL} row of {@code model} in {@code rows}, or null. */
  public static SummaryRow allRow(List<SummaryRow> rows, String model) {
    for (SummaryRow r : rows) {
      if (r.model().equals(model) && EvalSummary.ALL.equals(r.category())) {
        return r;
      }
    }
    return null;
  }
}
