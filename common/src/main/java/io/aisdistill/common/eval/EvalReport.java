package io.aisdistill.common.eval;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.aisdistill.common.text.Markdown;
import java.awt.Color;
import java.awt.Font;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Writes the evaluation report into a directory:
 * <ul>
 *   <li>{@value #REPORT_MD}: the paper's comparison (teacher vs student accuracy and the cost
 *       ratio), accuracy per category per model with 95 % Wilson intervals, example answers (the
 *       same items for every called model, {@link EvalExamples}: question, reference answer, and
 *       per model its answer cut at {@value #ANSWER_CHARS} chars, correct or not, and the score
 *       reason), cost per 1,000 queries with tokens and latency, and the assumptions (prices,
 *       self-hosting GPU $/hour and throughput, formulas, notes);</li>
 *   <li>{@value #SUMMARY_JSON}: the {@link SummaryRow}s as a JSON array, snake_case field names
 *       (the {@code eval_summary} columns), accuracy and CI as fractions in [0, 1];</li>
 *   <li>{@value #EXAMPLES_JSON}: the example items ({@link EvalExample}s, full answers) as a JSON
 *       array of {qa_id, category, fact_key, question, reference, answers: {model: {answer,
 *       correct, reason}}};</li>
 *   <li>PNG charts of {@value #WIDTH} x {@value #HEIGHT} pixels (XChart, rendered headless):
 *       {@value #ACCURACY_PNG} (grouped bars, accuracy % by category per model; no bar where a model
 *       has no scored item in the category),
 *       {@value #COST_PNG} (USD per 1,000 queries per model, logarithmic axis; unpriced models
 *       and zero costs left out), {@value #SCATTER_PNG} (accuracy % over all items against USD per
 *       1,000 queries, logarithmic x, one marker per priced model).</li>
 * </ul>
 * Output is a pure function of the inputs: rows keep the given order, numbers are formatted with
 * {@link Locale#ROOT}, and no date or host name is written, so rewriting gives identical bytes
 * (on the same JDK and fonts). Sets {@code java.awt.headless=true} unless already set.
 */
public final class EvalReport {
  private EvalReport() {}

  /** Markdown report file name. */
  public static final String REPORT_MD = "report.md";
  /** Summary rows file name. */
  public static final String SUMMARY_JSON = "summary.json";
  /** Example answers file name. */
  public static final String EXAMPLES_JSON = "examples.json";
  /** Accuracy-by-category chart file name. */
  public static final String ACCURACY_PNG = "accuracy_by_category.png";
  /** Cost-per-1,000-queries chart file name. */
  public static final String COST_PNG = "cost_per_1k_queries.png";
  /** Accuracy-against-cost chart file name. */
  public static final String SCATTER_PNG = "accuracy_vs_cost.png";
  /** Chart width, pixels. */
  public static final int WIDTH = 960;
  /** Chart height, pixels. */
  public static final int HEIGHT = 540;
  /** Longest answer or reference answer shown in {@value #REPORT_MD}'s examples, chars (ellipsis included). */
  public static final int ANSWER_CHARS = 300;

  private static final ObjectMapper JSON = new ObjectMapper()
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * As {@link #write(List, CostModel, List, Path)} without example items (the report says there
   * are none; {@value #EXAMPLES_JSON} is an empty array).
   */
  public static List<Path> write(List<SummaryRow> rows, CostModel assumptions, Path dir) throws IOException {
    return write(rows, assumptions, List.of(), dir);
  }

  /**
   * Writes {@value #REPORT_MD}, {@value #SUMMARY_JSON}, {@value #EXAMPLES_JSON} and the three PNG
   * charts into {@code dir} (created when missing; existing files of these names are replaced).
   *
   * @param rows summary rows, e.g. from {@link EvalSummary#summarize}; each model's
   *     {@link EvalSummary#ALL} row feeds the comparison, cost table and scatter
   * @param assumptions the models, pricing and notes stated in the report
   * @param examples example items, e.g. from {@link EvalExamples#select}; written in this order
   * @param dir output directory
   * @return the written files, in the order listed in the class Javadoc
   * @throws IOException when a file cannot be written
   * @throws NullPointerException when an argument is null
   * @throws IllegalArgumentException when a row's model is not in {@code assumptions}
   */
  public static List<Path> write(List<SummaryRow> rows, CostModel assumptions, List<EvalExample> examples,
      Path dir) throws IOException {
    Objects.requireNonNull(rows, "rows");
    Objects.requireNonNull(assumptions, "assumptions");
    Objects.requireNonNull(examples, "examples");
    Objects.requireNonNull(dir, "dir");
    for (SummaryRow r : rows) {
      assumptions.model(r.model());
    }
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
    Files.createDirectories(dir);
    List<Path> out = new ArrayList<>();
    out.add(writeString(dir.resolve(REPORT_MD), markdown(rows, assumptions, examples)));
    out.add(writeString(dir.resolve(SUMMARY_JSON), JSON.writeValueAsString(rows) + "\n"));
    out.add(writeString(dir.resolve(EXAMPLES_JSON), JSON.writeValueAsString(examples) + "\n"));
    out.add(png(accuracyChart(rows), dir.resolve(ACCURACY_PNG)));
    out.add(png(costChart(rows), dir.resolve(COST_PNG)));
    out.add(png(scatterChart(rows), dir.resolve(SCATTER_PNG)));
    return List.copyOf(out);
  }

  /**
   * Reads a {@value #SUMMARY_JSON} written by {@link #write} back into rows.
   *
   * @throws IOException when the file cannot be read or parsed
   */
  public static List<SummaryRow> readSummary(Path summaryJson) throws IOException {
    return JSON.readValue(summaryJson.toFile(), new TypeReference<List<SummaryRow>>() {});
  }

  /**
   * Reads an {@value #EXAMPLES_JSON} written by {@link #write} back into examples.
   *
   * @throws IOException when the file cannot be read or parsed
   */
  public static List<EvalExample> readExamples(Path examplesJson) throws IOException {
    return JSON.readValue(examplesJson.toFile(), new TypeReference<List<EvalExample>>() {});
  }

  // ------------------------------------------------------------------ markdown

  /** The Markdown text of {@value #REPORT_MD} without example items (see {@link #write}). */
  public static String markdown(List<SummaryRow> rows, CostModel assumptions) {
    return markdown(rows, assumptions, List.of());
  }

  /** The Markdown text of {@value #REPORT_MD} (see {@link #write(List, CostModel, List, Path)}). */
  public static String markdown(List<SummaryRow> rows, CostModel assumptions, List<EvalExample> examples) {
    StringBuilder md = new StringBuilder("# Evaluation report\n\n");
    List<String> models = models(rows);
    md.append("Models: ");
    for (int i = 0; i < models.size(); i++) {
      md.append(i == 0 ? "" : ", ").append('`').append(models.get(i)).append("` (")
          .append(assumptions.model(models.get(i)).role().label()).append(')');
    }
    md.append(".\n\n## Student against teachers\n\n");
    List<CostModel.Comparison> comps = assumptions.compare(rows);
    if (comps.isEmpty()) {
      md.append("No teacher/student pair with results.\n\n");
    } else {
      md.append("| teacher | student | teacher accuracy | student accuracy | teacher USD / 1k queries "
          + "| student USD / 1k queries | cost ratio teacher / student |\n|---|---|---:|---:|---:|---:|---:|\n");
      for (CostModel.Comparison c : comps) {
        md.append("| ").append(c.teacher()).append(" | ").append(c.student()).append(" | ")
            .append(pct(c.teacherAccuracy())).append(" | ").append(pct(c.studentAccuracy())).append(" | ")
            .append(usd(c.teacherUsdPer1k())).append(" | ").append(usd(c.studentUsdPer1k())).append(" | ")
            .append(ratio(c.costRatio())).append(" |\n");
      }
      md.append('\n');
      for (CostModel.Comparison c : comps) {
        if (c.costRatio() != null) {
          md.append("- `").append(c.student()).append("` reaches ").append(pct(c.studentAccuracy()))
              .append(" accuracy at 1/").append(ratio(c.costRatio())).append(" of `").append(c.teacher())
              .append("`'s inference cost (").append(c.teacherAccuracy() == null
                  ? "teacher not evaluated: price reference" : pct(c.teacherAccuracy())).append(").\n");
        }
      }
      md.append('\n');
    }

    md.append("## Accuracy per category\n\nAccuracy (correct / scored) with its 95 % Wilson score "
        + "interval; items without a score (free text left to an LLM judge) are not counted.\n\n| category |");
    for (String m : models) {
      md.append(' ').append(m).append(" |");
    }
    md.append("\n|---|").append("---:|".repeat(models.size())).append('\n');
    for (String cat : categories(rows)) {
      md.append("| ").append(cat).append(" |");
      for (String m : models) {
        SummaryRow r = find(rows, m, cat);
        md.append(' ').append(r == null ? "-" : accuracyCell(r)).append(" |");
      }
      md.append('\n');
    }

    md.append('\n').append(examplesMarkdown(examples));

    md.append("\n## Cost per 1,000 queries\n\nOver all items of each model.\n\n"
        + "| model | role | basis | n | mean tokens in | mean tokens out | latency p50 (ms) | latency p95 (ms) "
        + "| USD / 1k queries |\n|---|---|---|---:|---:|---:|---:|---:|---:|\n");
    for (String m : models) {
      SummaryRow r = CostModel.allRow(rows, m);
      if (r == null) {
        continue;
      }
      md.append("| ").append(m).append(" | ").append(r.role()).append(" | ")
          .append(r.costBasis() == null ? "unpriced" : r.costBasis()).append(" | ").append(r.n()).append(" | ")
          .append(fmt1(r.meanTokensIn())).append(" | ").append(fmt1(r.meanTokensOut())).append(" | ")
          .append(fmt1(r.latencyP50Ms())).append(" | ").append(fmt1(r.latencyP95Ms())).append(" | ")
          .append(usd(r.usdPer1kQueries())).append(" |\n");
    }

    md.append("\n## Assumptions\n\n### Prices\n\n| model | basis | USD / 1M input tokens | USD / 1M output "
        + "tokens | GPU | GPU USD / hour | throughput (queries / s) |\n|---|---|---:|---:|---|---:|---:|\n");
    for (EvaluatedModel s : assumptions.models()) {
      md.append("| ").append(s.name()).append(" | ");
      if (s.pricing() instanceof Pricing.Api a) {
        md.append("api | ").append(num(a.usdPerMillionInput())).append(" | ").append(num(a.usdPerMillionOutput()))
            .append(" | - | - | - |\n");
      } else if (s.pricing() instanceof Pricing.SelfHosted h) {
        md.append("self-hosted | - | - | ").append(h.gpu()).append(" | ").append(num(h.gpuUsdPerHour()))
            .append(" | ").append(num(h.queriesPerSecond())).append(" |\n");
      } else {
        md.append("unpriced | - | - | - | - | - |\n");
      }
    }
    md.append("\n### Formulas\n\n"
        + "- Accuracy CI: Wilson score interval, z = 1.96: centre = (p + z²/2n) / (1 + z²/n), half-width = "
        + "z / (1 + z²/n) · sqrt(p(1 − p)/n + z²/4n²) (Wilson 1927).\n"
        + "- API: USD / 1k queries = 1000 × (mean tokens in × USD per 1M input + mean tokens out × USD per 1M "
        + "output) / 10⁶.\n"
        + "- Self-hosted: USD / 1k queries = 1000 × GPU USD per hour / (3600 × measured queries per second).\n"
        + "- Cost ratio = teacher USD / 1k queries ÷ student USD / 1k queries.\n"
        + "- Latency percentiles: linear interpolation between order statistics (Hyndman & Fan type 7).\n");
    if (!assumptions.notes().isEmpty()) {
      md.append("\n### Notes\n\n");
      for (String n : assumptions.notes()) {
        md.append("- ").append(n).append('\n');
      }
    }
    md.append("\n## Charts\n\n")
        .append("![Accuracy by category](").append(ACCURACY_PNG).append(")\n\n")
        .append("![Cost per 1,000 queries (log scale)](").append(COST_PNG).append(")\n\n")
        .append("![Accuracy against cost](").append(SCATTER_PNG).append(")\n");
    return md.toString();
  }

  /**
   * The "## Example answers" section: an introduction, then per example a "### i. category: fact
   * key" heading, its qa_id, question and reference answer, and a table
   * {@code | model | answer | correct | reason |} with one row per model in the example's order.
   * Cells are one line with '|' escaped ({@link Markdown#cell}); answers and the reference are cut
   * at {@value #ANSWER_CHARS} chars with an ellipsis; correct is "yes", "no" or "-" (not scored).
   */
  static String examplesMarkdown(List<EvalExample> examples) {
    StringBuilder md = new StringBuilder("## Example answers\n\n");
    if (examples.isEmpty()) {
      return md.append("No test item was answered by every called model.\n").toString();
    }
    md.append("The same ").append(examples.size()).append(" test items for every called model, taken in turn from "
        + "each category (lowest SHA-256 of qa_id first) among the items every called model answered. Answers "
        + "longer than ").append(ANSWER_CHARS).append(" characters are cut here; ").append(EXAMPLES_JSON)
        .append(" holds them in full. correct: yes / no, - when not scored.\n");
    int i = 0;
    for (EvalExample e : examples) {
      md.append("\n### ").append(++i).append(". ").append(Markdown.cell(e.category())).append(": ")
          .append(e.factKey() == null ? "free text" : "`" + Markdown.cell(e.factKey()) + "`").append("\n\n")
          .append("qa_id `").append(Markdown.cell(e.qaId())).append("`\n\n")
          .append("**Question:** ").append(e.question() == null ? "-" : Markdown.cell(e.question())).append("\n\n")
          .append("**Reference answer:** ").append(shown(e.reference())).append("\n\n")
          .append("| model | answer | correct | reason |\n|---|---|---|---|\n");
      for (Map.Entry<String, EvalExample.ModelAnswer> a : e.answers().entrySet()) {
        EvalExample.ModelAnswer v = a.getValue();
        md.append("| ").append(Markdown.cell(a.getKey())).append(" | ").append(shown(v.answer())).append(" | ")
            .append(v.correct() == null ? "-" : v.correct() ? "yes" : "no").append(" | ")
            .append(v.reason() == null ? "-" : Markdown.cell(v.reason())).append(" |\n");
      }
    }
    return md.toString();
  }

  /** A text as one Markdown line: "-" for null, "(empty)" for blank, else cut at {@value #ANSWER_CHARS} chars. */
  private static String shown(String s) {
    if (s == null) {
      return "-";
    }
    return s.isBlank() ? "(empty)" : Markdown.cell(Markdown.truncate(s.strip(), ANSWER_CHARS));
  }

  /** "75.0 % [30.1, 95.4] (3/4)", or "- (0 scored)" without scored items. */
  static String accuracyCell(SummaryRow r) {
    if (r.accuracy() == null) {
      return "- (0 scored)";
    }
    return pct(r.accuracy()) + " [" + fmt1(100 * r.ciLow()) + ", " + fmt1(100 * r.ciHigh()) + "] ("
        + r.correct() + "/" + r.scored() + ")";
  }

  static String pct(Double fraction) {
    return fraction == null ? "-" : fmt1(100 * fraction) + " %";
  }

  /** USD: 2 decimals from 1 up ("3.00", "1250.00"), else 4 significant digits ("0.1111", "0.0004125"); "-" for null. */
  static String usd(Double v) {
    if (v == null) {
      return "-";
    }
    return Math.abs(v) >= 1 ? String.format(Locale.ROOT, "%.2f", v) : num(v);
  }

  private static String num(double v) {
    return new BigDecimal(v).round(new MathContext(4)).stripTrailingZeros().toPlainString();
  }

  private static String ratio(Double v) {
    return v == null ? "-" : fmt1(v);
  }

  private static String fmt1(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  // ------------------------------------------------------------------ charts

  private static CategoryChart accuracyChart(List<SummaryRow> rows) {
    CategoryChart c = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
        .title("Accuracy by category (95 % Wilson intervals in report.md)").xAxisTitle("category")
        .yAxisTitle("accuracy (%)").build();
    style(c.getStyler());
    c.getStyler().setYAxisMin(0.0).setYAxisMax(100.0);
    c.getStyler().setLabelsVisible(true);
    c.getStyler().setLabelsRotation(90);
    c.getStyler().setDecimalPattern("0.0");
    c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    c.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
    List<String> cats = categories(rows);
    for (String m : models(rows)) {
      List<Double> ys = new ArrayList<>();
      for (String cat : cats) {
        SummaryRow r = find(rows, m, cat);
        ys.add(r == null || r.accuracy() == null ? null : 100 * r.accuracy()); // no bar, not a 0 % bar
      }
      c.addSeries(m, cats, ys);
    }
    return c;
  }

  private static CategoryChart costChart(List<SummaryRow> rows) {
    CategoryChart c = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
        .title("Cost per 1,000 queries (log scale)").xAxisTitle("model").yAxisTitle("USD per 1,000 queries").build();
    style(c.getStyler());
    c.getStyler().setYAxisLogarithmic(true);
    c.getStyler().setLabelsVisible(true);
    c.getStyler().setDecimalPattern("0.00##");
    c.getStyler().setLegendVisible(false);
    List<String> names = new ArrayList<>();
    List<Double> usd = new ArrayList<>();
    for (SummaryRow r : priced(rows)) {
      names.add(r.model());
      usd.add(r.usdPer1kQueries());
    }
    if (names.isEmpty()) {
      c.getStyler().setYAxisLogarithmic(false);
      names.add("no priced model");
      usd.add(0.0);
    } else {
      double[] d = decades(usd);
      c.getStyler().setYAxisMin(d[0]).setYAxisMax(d[1]); // bars would otherwise start at 0
    }
    c.addSeries("USD per 1,000 queries", names, usd);
    return c;
  }

  private static XYChart scatterChart(List<SummaryRow> rows) {
    XYChart c = new XYChartBuilder().width(WIDTH).height(HEIGHT).title("Accuracy against cost (all items)")
        .xAxisTitle("USD per 1,000 queries (log scale)").yAxisTitle("accuracy (%)").build();
    style(c.getStyler());
    c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    c.getStyler().setMarkerSize(14);
    c.getStyler().setYAxisMin(0.0).setYAxisMax(100.0);
    c.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
    List<SummaryRow> pts = priced(rows).stream().filter(r -> r.accuracy() != null).toList();
    if (pts.isEmpty()) {
      c.addSeries("no priced model", new double[] {0}, new double[] {0}).setMarker(SeriesMarkers.NONE);
      return c;
    }
    c.getStyler().setXAxisLogarithmic(true);
    double[] d = decades(pts.stream().map(SummaryRow::usdPer1kQueries).toList());
    c.getStyler().setXAxisMin(d[0]).setXAxisMax(d[1]);
    for (SummaryRow r : pts) {
      c.addSeries(r.model().equals(r.role()) ? r.model() : r.model() + " (" + r.role() + ")", new double[] {r.usdPer1kQueries()},
          new double[] {100 * r.accuracy()});
    }
    return c;
  }

  /** {lower, upper} powers of ten around positive {@code values}: at least one decade apart. */
  private static double[] decades(List<Double> values) {
    double lo = values.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    double hi = values.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    double l = Math.floor(Math.log10(lo));
    double h = Math.max(Math.ceil(Math.log10(hi)), l + 1);
    return new double[] {Math.pow(10, l), Math.pow(10, h)};
  }

  private static void style(Styler s) {
    s.setChartBackgroundColor(Color.WHITE);
    s.setPlotBackgroundColor(Color.WHITE);
    s.setAntiAlias(true);
    s.setBaseFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
    s.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
  }

  /** The "all" rows of priced models with a positive cost (a log axis cannot show 0), in row order. */
  private static List<SummaryRow> priced(List<SummaryRow> rows) {
    return rows.stream().filter(r -> EvalSummary.ALL.equals(r.category()) && r.usdPer1kQueries() != null
        && r.usdPer1kQueries() > 0).toList();
  }

  private static Path png(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, Path file) throws IOException {
    BufferedImage img = BitmapEncoder.getBufferedImage(chart);
    if (!ImageIO.write(img, "png", file.toFile())) {
      throw new IOException("no PNG writer");
    }
    return file;
  }

  private static Path writeString(Path file, String text) throws IOException {
    Files.writeString(file, text, StandardCharsets.UTF_8);
    return file;
  }

  // ------------------------------------------------------------------ row lookups

  private static List<String> models(List<SummaryRow> rows) {
    Set<String> s = new LinkedHashSet<>();
    rows.forEach(r -> s.add(r.model()));
    return List.copyOf(s);
  }

  private static List<String> categories(List<SummaryRow> rows) {
    List<String> s = new ArrayList<>(new LinkedHashSet<>(rows.stream().map(SummaryRow::category).toList()));
    s.sort(EvalSummary::compareCategories);
    return s;
  }

  private static SummaryRow find(List<SummaryRow> rows, String model, String category) {
    for (SummaryRow r : rows) {
      if (r.model().equals(model) && r.category().equals(category)) {
        return r;
      }
    }
    return null;
  }
}
